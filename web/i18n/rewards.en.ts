// Rewards as they happen (XP, level-ups, badges) and the recap of a finished course, in English.

import type { rewardsFr } from './rewards.fr.ts'

export const rewardsEn: typeof rewardsFr = {
  region: 'Rewards',
  xp_gained: '+{{xp}} XP',
  level_up: 'Level {{level}} reached!',
  new_badge: 'New badge',
  announce_xp: 'You earn {{xp}} XP.',
  announce_level: 'You reach level {{level}}.',
  announce_badges_one: 'New badge: {{names}}.',
  announce_badges_other: 'New badges: {{names}}.',
  recap_title: 'Your course at a glance',
  recap_xp: 'XP earned',
  recap_badges: 'Badges earned',
  recap_time: 'Time spent',
  recap_no_badge: 'No badge in this course',
  duration_less_than_minute: 'less than a minute',
}
