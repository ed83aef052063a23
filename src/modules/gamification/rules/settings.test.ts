import { describe, expect, it } from 'vitest'
import { defaultSettings, mergeSettings, SettingsPatchSchema } from './settings.ts'

describe('a change of gamification settings', () => {
  it('keeps the amounts and rules it leaves out, instead of putting their defaults back', () => {
    const current = mergeSettings(defaultSettings, {
      xp: { quiz_passed: 20, perfect_quiz: 0 },
      hearts: { max_hearts: 3 },
      streaks: { max_freezes: 5 },
    })
    const change = SettingsPatchSchema.parse({
      xp: { video_completed: 60 },
      streaks: { freeze_every_days: 3 },
    })
    const next = mergeSettings(current, change)
    expect(next.xp).toEqual({ ...current.xp, video_completed: 60 })
    expect(next.hearts).toEqual(current.hearts)
    expect(next.streaks).toEqual({ ...current.streaks, freeze_every_days: 3 })
  })
})
