// Rewards as they happen (XP, level-ups, badges) and the recap of a finished course, in French.
// Merged under the key `rewards`; rewards.en.ts must have the same keys (its type checks it).

export const rewardsFr = {
  region: 'Récompenses',
  xp_gained: '+{{xp}} XP',
  level_up: 'Niveau {{level}} atteint !',
  new_badge: 'Nouveau badge',
  announce_xp: 'Vous gagnez {{xp}} XP.',
  announce_level: 'Vous passez au niveau {{level}}.',
  announce_badges_one: 'Nouveau badge : {{names}}.',
  announce_badges_other: 'Nouveaux badges : {{names}}.',
  recap_title: 'Votre parcours en bref',
  recap_xp: 'XP gagnés',
  recap_badges: 'Badges obtenus',
  recap_time: 'Temps passé',
  recap_no_badge: 'Aucun badge dans ce cours',
  duration_less_than_minute: 'moins d’une minute',
}
