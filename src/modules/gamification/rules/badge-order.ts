import type { BadgeCriteria } from './badge-criteria.ts'

// Badges are listed the way a student climbs them: by family (videos, quizzes, perfect quizzes, streaks,
// courses, then combined criteria), and within a family from the lowest threshold up.

const FAMILIES = ['video', 'quiz', 'perfect_quiz', 'streak', 'course', 'combined'] as const
export type BadgeFamily = (typeof FAMILIES)[number]

/** A badge's family and threshold; all/any badges form their own family, by their first threshold. */
function badgeRank(criteria: BadgeCriteria | null): { family: BadgeFamily; threshold: number } {
  if (!criteria) return { family: 'combined', threshold: Number.MAX_SAFE_INTEGER }
  if ('streak' in criteria) return { family: 'streak', threshold: criteria.streak.gte }
  if ('count' in criteria) {
    const { signal, perfect } = criteria.count
    const family =
      signal === 'VIDEO_COMPLETED'
        ? 'video'
        : signal === 'COURSE_COMPLETED'
          ? 'course'
          : perfect
            ? 'perfect_quiz'
            : 'quiz'
    return { family, threshold: criteria.gte }
  }
  const parts = 'all' in criteria ? criteria.all : criteria.any
  return { family: 'combined', threshold: parts[0] ? badgeRank(parts[0]).threshold : 0 }
}

/** Sorts badges by family, then threshold, then name (stable for equal ranks). */
export function sortBadges<T>(
  badges: T[],
  criteriaOf: (badge: T) => BadgeCriteria | null,
  nameOf: (badge: T) => string,
) {
  const keyed = badges.map((badge) => ({ badge, rank: badgeRank(criteriaOf(badge)), name: nameOf(badge) }))
  keyed.sort(
    (a, b) =>
      FAMILIES.indexOf(a.rank.family) - FAMILIES.indexOf(b.rank.family) ||
      a.rank.threshold - b.rank.threshold ||
      a.name.localeCompare(b.name),
  )
  return keyed.map((k) => k.badge)
}
