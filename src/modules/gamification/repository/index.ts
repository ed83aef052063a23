// What gamification stores, one file per part: settings, the XP ledger, streaks, hearts, badges and their
// awards, scores and leaderboards, and the rewards a student sees happen.

export * from './badges.ts'
export * from './hearts.ts'
export * from './rewards.ts'
export * from './scores.ts'
export * from './settings.ts'
export * from './streaks.ts'
export * from './xp.ts'
