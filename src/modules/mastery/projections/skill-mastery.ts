import type { SignalReactor } from '../../../core/events/projector.ts'
import type { QuizAttemptedBody } from '../../progress/index.ts'
import * as repo from '../repository.ts'
import { quizAttempts, shareAwarded } from '../rules/quiz-attempt.ts'
import { practise, type SkillState } from '../rules/skill-mastery.ts'

type Skill = SkillState & { org_id: string; student_id: string; skill: string }

/** The answers of one attempt per skill, in question order (a question may train several skills). */
function sharesBySkill(results: { points: number; points_awarded: number; skills: string[] }[]) {
  const bySkill = new Map<string, number[]>()
  for (const result of results) {
    if (result.points <= 0) continue
    for (const skill of new Set(result.skills.map((s) => s.trim()).filter(Boolean))) {
      const shares = bySkill.get(skill) ?? []
      shares.push(shareAwarded(result))
      bySkill.set(skill, shares)
    }
  }
  return bySkill
}

/**
 * `v_skill_mastery`, from the question results of QUIZ_ATTEMPTED signals, across all courses of a school
 * (rules/skill-mastery.ts). Tally attempts carry no question results and so train no skill. A signal
 * already applied to a skill is skipped; decay is left to reads, so stored rows depend on signals only.
 */
export const skillMasteryReactor: SignalReactor<QuizAttemptedBody> = {
  name: 'mastery_skill',
  reads: 'signals',
  signals: quizAttempts,
  async apply(db, signals) {
    // Rows of the batch by org, student and skill; null for a skill the student had never practised.
    const skills = new Map<string, Skill | null>()
    const changed = new Set<string>()
    for (const signal of signals) {
      const practised = sharesBySkill(signal.payload.results)
      const keyOf = (skill: string) => `${signal.org_id}\u0000${signal.student_id}\u0000${skill}`
      const unknown = [...practised.keys()].filter((s) => !skills.has(keyOf(s)))
      if (unknown.length > 0) {
        const rows = await repo.skillsOf(db, signal.org_id, signal.student_id, unknown)
        for (const skill of unknown) {
          const row = rows.find((r) => r.skill === skill)
          skills.set(
            keyOf(skill),
            row
              ? {
                  ...row,
                  weighted_sum: Number(row.weighted_sum),
                  weight_total: Number(row.weight_total),
                  score: Number(row.score),
                  attempts: Number(row.attempts),
                  correct: Number(row.correct),
                  last_seq: Number(row.last_seq),
                }
              : null,
          )
        }
      }
      for (const [skill, shares] of practised) {
        const next = practise(skills.get(keyOf(skill)) ?? null, shares, signal)
        if (!next) continue
        skills.set(keyOf(skill), { ...next, org_id: signal.org_id, student_id: signal.student_id, skill })
        changed.add(keyOf(skill))
      }
    }
    await repo.saveSkills(
      db,
      [...changed].flatMap((k) => skills.get(k) ?? []),
    )
  },
  async reset(db) {
    await repo.deleteSkillMastery(db)
  },
}
