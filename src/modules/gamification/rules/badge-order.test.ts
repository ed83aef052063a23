import { describe, expect, it } from 'vitest'
import type { BadgeCriteria } from './badge-criteria.ts'
import { sortBadges } from './badge-order.ts'
import { defaultBadges } from './default-badges.ts'

describe('the order of badges', () => {
  it('lists badges by family, then from the lowest threshold up', () => {
    const shuffled = [...defaultBadges].reverse()
    const sorted = sortBadges(
      shuffled,
      (b) => b.criteria,
      (b) => b.code,
    ).map((b) => b.code)
    expect(sorted).toEqual([
      'first_video',
      'video_5',
      'video_25',
      'first_quiz',
      'quiz_master',
      'perfectionist',
      'streak_7',
      'streak_30',
      'course_complete',
      'expert',
    ])
  })

  it('puts combined criteria after the single ones, and ties in name order', () => {
    const badges: { code: string; criteria: BadgeCriteria }[] = [
      {
        code: 'combo',
        criteria: { all: [{ streak: { gte: 3 } }, { count: { signal: 'QUIZ_PASSED' }, gte: 2 }] },
      },
      { code: 'b_video', criteria: { count: { signal: 'VIDEO_COMPLETED' }, gte: 2 } },
      { code: 'a_video', criteria: { count: { signal: 'VIDEO_COMPLETED' }, gte: 2 } },
    ]
    expect(
      sortBadges(
        badges,
        (b) => b.criteria,
        (b) => b.code,
      ).map((b) => b.code),
    ).toEqual(['a_video', 'b_video', 'combo'])
  })
})
