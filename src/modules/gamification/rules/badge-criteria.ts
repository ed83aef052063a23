import { z } from '@hono/zod-openapi'
import { type SignalBodyOf, signalContract } from '../../../core/events/signal-log.ts'
import { CourseCompletedSignal, QuizPassedSignal, VideoCompletedSignal } from '../../progress/index.ts'
import { StreakDaySignal } from '../contract.ts'
import { isPerfectQuiz } from './perfect-quiz.ts'

// What a badge asks, as a small declarative language over per-student counters:
//
//   { "count": { "signal": "VIDEO_COMPLETED" }, "gte": 5 }        5 videos completed
//   { "count": { "signal": "QUIZ_PASSED", "perfect": true }, "gte": 1 }   a quiz passed with every point
//                                                                          at the first attempt
//   { "count": { "signal": "COURSE_COMPLETED" }, "gte": 5 }       5 courses completed
//   { "streak": { "gte": 7 } }                                    a streak of 7 days (the best one so far)
//   { "all": [ ... ] }, { "any": [ ... ] }                        every / at least one of the criteria
//
// Counters only ever grow (a streak counts as the best streak reached), so criteria are monotone: a student
// who meets them once meets them for good. That is what lets a badge created today, or a rebuild, award
// exactly what the live run did (see `awardMoment`).

const countedSignals = ['VIDEO_COMPLETED', 'QUIZ_PASSED', 'COURSE_COMPLETED'] as const
type CountedSignal = (typeof countedSignals)[number]

/** The signals that move counters. */
export const counterSignals = signalContract(
  VideoCompletedSignal,
  QuizPassedSignal,
  CourseCompletedSignal,
  StreakDaySignal,
)

type CountCriterion = { count: { signal: CountedSignal; perfect?: boolean }; gte: number }
type StreakCriterion = { streak: { gte: number } }
export type BadgeCriteria =
  | CountCriterion
  | StreakCriterion
  | { all: BadgeCriteria[] }
  | { any: BadgeCriteria[] }

const MAX_DEPTH = 4

const CountCriterionSchema = z
  .strictObject({
    count: z.strictObject({
      signal: z.enum(countedSignals),
      perfect: z.boolean().optional().openapi({
        description: 'Only quizzes passed with every point at the first attempt (QUIZ_PASSED only)',
      }),
    }),
    gte: z.number().int().min(1).max(1_000_000),
  })
  .refine((c) => !c.count.perfect || c.count.signal === 'QUIZ_PASSED', {
    message: '"perfect" applies to QUIZ_PASSED only',
    path: ['count', 'perfect'],
  })

const StreakCriterionSchema = z.strictObject({
  streak: z.strictObject({ gte: z.number().int().min(1).max(3650) }),
})

// Named on the lazy schema itself, so the OpenAPI document refers to it where it recurs.
const NodeSchema: z.ZodType<BadgeCriteria> = z
  .lazy(() =>
    z.union([
      CountCriterionSchema,
      StreakCriterionSchema,
      z.strictObject({ all: z.array(NodeSchema).min(1).max(20) }),
      z.strictObject({ any: z.array(NodeSchema).min(1).max(20) }),
    ]),
  )
  .openapi('BadgeCriterion')

function depthOf(criteria: BadgeCriteria): number {
  if ('all' in criteria) return 1 + Math.max(...criteria.all.map(depthOf))
  if ('any' in criteria) return 1 + Math.max(...criteria.any.map(depthOf))
  return 1
}

export const BadgeCriteriaSchema = NodeSchema.refine((c) => depthOf(c) <= MAX_DEPTH, {
  message: `criteria nest ${MAX_DEPTH} levels deep at most`,
}).openapi('BadgeCriteria', {
  description:
    'A count of signals ({ count: { signal, perfect? }, gte }), a streak ({ streak: { gte } }), or all/any of criteria',
  example: { count: { signal: 'VIDEO_COMPLETED' }, gte: 5 },
})

/** A student's counters, by key. A missing key is 0. */
export type Counters = Record<string, number>

const STREAK_KEY = 'streak:best'

function countKey(count: CountCriterion['count']): string {
  return count.perfect ? `count:${count.signal}:perfect` : `count:${count.signal}`
}

/** The counter keys criteria read: a badge created later evaluates everyone from these alone. */
export function counterKeysOf(criteria: BadgeCriteria): string[] {
  if ('all' in criteria) return [...new Set(criteria.all.flatMap(counterKeysOf))]
  if ('any' in criteria) return [...new Set(criteria.any.flatMap(counterKeysOf))]
  if ('streak' in criteria) return [STREAK_KEY]
  return [countKey(criteria.count)]
}

type CounterSignal = SignalBodyOf<typeof counterSignals>

/** The counters after one signal. Every counter is kept, whatever the school's badges ask today. */
export function countersAfter(counters: Counters, signal: CounterSignal): Counters {
  const next = { ...counters }
  const add = (key: string) => {
    next[key] = (next[key] ?? 0) + 1
  }
  switch (signal.type) {
    case 'VIDEO_COMPLETED':
    case 'COURSE_COMPLETED':
      add(`count:${signal.type}`)
      break
    case 'QUIZ_PASSED':
      add('count:QUIZ_PASSED')
      if (isPerfectQuiz(signal.payload)) add('count:QUIZ_PASSED:perfect')
      break
    case 'STREAK_DAY': {
      const length = signal.payload.streak_length
      if (length > (next[STREAK_KEY] ?? 0)) next[STREAK_KEY] = length
      break
    }
  }
  return next
}

export function meetsCriteria(criteria: BadgeCriteria, counters: Counters): boolean {
  if ('all' in criteria) return criteria.all.every((c) => meetsCriteria(c, counters))
  if ('any' in criteria) return criteria.any.some((c) => meetsCriteria(c, counters))
  if ('streak' in criteria) return (counters[STREAK_KEY] ?? 0) >= criteria.streak.gte
  return (counters[countKey(criteria.count)] ?? 0) >= criteria.gte
}

/** How far a student is towards a single threshold (capped at it); null for all/any. */
export function progressTowards(
  criteria: BadgeCriteria,
  counters: Counters,
): { current: number; target: number } | null {
  if ('all' in criteria || 'any' in criteria) return null
  const [key, target] =
    'streak' in criteria ? [STREAK_KEY, criteria.streak.gte] : [countKey(criteria.count), criteria.gte]
  return { current: Math.min(counters[key] ?? 0, target), target }
}

// When a badge is awarded. A badge is active over periods: from its creation (or the last change of its
// criteria) until it is deactivated, and again from each reactivation. A student earns it at the first
// instant they meet its criteria while it is active: at the signal that met them when the badge was active
// then, else when the badge next became active. Criteria being monotone, the live run (signals as they come,
// plus an evaluation of everyone when a badge becomes active) and a replay of the whole log under today's
// periods agree on every award and its time.

export type ActivePeriod = { from: string; until: string | null }

/** The award time for criteria first met at `metAt`, and whether it waited for the badge; null: not now. */
export function awardMoment(metAt: string, periods: ActivePeriod[]): { at: string; waited: boolean } | null {
  for (const period of periods) {
    if (period.until !== null && metAt >= period.until) continue
    return metAt >= period.from ? { at: metAt, waited: false } : { at: period.from, waited: true }
  }
  return null
}

function isActive(periods: ActivePeriod[]): boolean {
  return periods.length > 0 && periods[periods.length - 1]?.until === null
}

/** The periods after the badge is switched on or off at `at` (no change when already so). */
export function setActive(periods: ActivePeriod[], active: boolean, at: string): ActivePeriod[] {
  if (active === isActive(periods)) return periods
  if (active) return [...periods, { from: at, until: null }]
  return periods.map((p, i) => (i === periods.length - 1 ? { ...p, until: at } : p))
}

export function parseCriteria(stored: string): BadgeCriteria | null {
  const parsed = BadgeCriteriaSchema.safeParse(JSON.parse(stored))
  return parsed.success ? parsed.data : null
}
