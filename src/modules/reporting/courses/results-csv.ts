import type { z } from '@hono/zod-openapi'
import { stringify } from 'csv-stringify/sync'
import type { MemberIdentity } from '../../../core/http/access.ts'
import * as catalog from '../../catalog/index.ts'
import * as identity from '../../identity/index.ts'
import type { ReportingDeps } from '../deps.ts'
import type { ResultsCsvQuery } from '../schemas.ts'
import { firstEmail } from './presenters.ts'
import { courseReports } from './service.ts'

const csvHeaders = {
  fr: {
    name: 'Nom',
    email: 'E-mail',
    teams: 'Classes',
    status: 'Statut',
    progress: 'Progression (%)',
    current: 'Étape en cours',
    quiz: (index: number, name: string) => `Quiz ${index}. ${name} (meilleur score %)`,
    time: 'Temps passé (min)',
    mastery: 'Maîtrise du cours (%)',
    last: 'Dernière activité',
    statuses: {
      not_started: 'Pas commencé',
      in_progress: 'En cours',
      abandoned: 'Abandonné',
      completed: 'Terminé',
    },
  },
  en: {
    name: 'Name',
    email: 'E-mail',
    teams: 'Classes',
    status: 'Status',
    progress: 'Progress (%)',
    current: 'Current step',
    quiz: (index: number, name: string) => `Quiz ${index}. ${name} (best score %)`,
    time: 'Time spent (min)',
    mastery: 'Course mastery (%)',
    last: 'Last activity',
    statuses: {
      not_started: 'Not started',
      in_progress: 'In progress',
      abandoned: 'Abandoned',
      completed: 'Completed',
    },
  },
} as const

/**
 * A course's results as CSV, one row per enrolled student in name order, for the staff who may see its
 * analytics. UTF-8 with a byte order mark so that Excel reads accents; RFC 4180 quoting (csv-stringify).
 */
export async function courseResultsCsv(
  deps: ReportingDeps,
  actor: MemberIdentity,
  courseId: string,
  query: z.infer<typeof ResultsCsvQuery>,
) {
  const { course, org, reports } = await courseReports(deps, actor, courseId, query)
  const ids = reports.map((r) => r.student_id)
  const [people, teams, mastery] = await Promise.all([
    identity.peopleByIds(deps.identity, actor.orgId, 'lms_student', ids),
    catalog.teamsOfStudents(deps.catalog, actor.orgId, ids),
    deps.courseMastery ? deps.courseMastery(actor.orgId, courseId) : [],
  ])
  const h = csvHeaders[query.lang ?? org.default_locale]
  const personOf = new Map(people.map((p) => [p.id, p]))
  const masteryOf = new Map(mastery.map((m) => [m.student_id, m]))
  const quizSteps = course.steps.filter((s) => s.has_quiz)
  const total = course.steps.length
  const percent = (ratio: number | null | undefined) => (ratio == null ? '' : Math.round(ratio * 100))
  const rows = reports
    .map((r) => {
      const person = personOf.get(r.student_id)
      return [
        person?.name ?? '',
        firstEmail(person?.emails_json) ?? '',
        (teams.get(r.student_id) ?? []).map((t) => t.name).join(', '),
        h.statuses[r.status],
        total === 0 ? 0 : Math.round((r.done / total) * 100),
        r.current ? `${r.current.index + 1}. ${r.current.name}` : '',
        ...quizSteps.map((s) => percent(r.progress.get(s.id)?.quiz_best_ratio)),
        Math.round(r.timeSpentSec / 60),
        percent(masteryOf.get(r.student_id)?.score),
        r.lastEventAt ?? '',
      ]
    })
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
  const header = [
    h.name,
    h.email,
    h.teams,
    h.status,
    h.progress,
    h.current,
    ...quizSteps.map((s) => h.quiz(s.index + 1, s.name)),
    h.time,
    h.mastery,
    h.last,
  ]
  return { course, csv: `\uFEFF${stringify([header, ...rows], { record_delimiter: 'windows' })}` }
}
