import type { BadgeCriteria } from './badge-criteria.ts'

// The badges every school starts with. Names and descriptions are stored in the school's default language,
// for readers that do not translate; each badge also gets its code as `key`, which front ends translate
// into the reader's language (web/i18n `badges.defaults`) until the school renames the badge. Icons are
// names of the web app's icon set (Tabler), which shows them where emoji fonts are missing.

type Text = { fr: string; en: string }

export type DefaultBadge = {
  code: string
  name: Text
  description: Text
  icon: string
  criteria: BadgeCriteria
  points_reward: number
}

const count = (signal: 'VIDEO_COMPLETED' | 'QUIZ_PASSED' | 'COURSE_COMPLETED', gte: number) => ({
  count: { signal },
  gte,
})

export const defaultBadges: DefaultBadge[] = [
  {
    code: 'first_video',
    name: { fr: 'Première vidéo', en: 'First video' },
    description: { fr: 'Regarder une première vidéo en entier', en: 'Watch a first video to the end' },
    icon: 'movie',
    criteria: count('VIDEO_COMPLETED', 1),
    points_reward: 10,
  },
  {
    code: 'video_5',
    name: { fr: 'Cinq vidéos', en: 'Five videos' },
    description: { fr: 'Regarder 5 vidéos en entier', en: 'Watch 5 videos to the end' },
    icon: 'device-tv',
    criteria: count('VIDEO_COMPLETED', 5),
    points_reward: 25,
  },
  {
    code: 'video_25',
    name: { fr: 'Vingt-cinq vidéos', en: 'Twenty-five videos' },
    description: { fr: 'Regarder 25 vidéos en entier', en: 'Watch 25 videos to the end' },
    icon: 'player-play',
    criteria: count('VIDEO_COMPLETED', 25),
    points_reward: 100,
  },
  {
    code: 'first_quiz',
    name: { fr: 'Premier quiz', en: 'First quiz' },
    description: { fr: 'Réussir un premier quiz', en: 'Pass a first quiz' },
    icon: 'circle-check',
    criteria: count('QUIZ_PASSED', 1),
    points_reward: 10,
  },
  {
    code: 'quiz_master',
    name: { fr: 'Maître des quiz', en: 'Quiz master' },
    description: { fr: 'Réussir 10 quiz', en: 'Pass 10 quizzes' },
    icon: 'brain',
    criteria: count('QUIZ_PASSED', 10),
    points_reward: 100,
  },
  {
    code: 'perfectionist',
    name: { fr: 'Perfectionniste', en: 'Perfectionist' },
    description: {
      fr: 'Réussir un quiz sans aucune erreur du premier coup',
      en: 'Pass a quiz with every point at the first attempt',
    },
    icon: 'target',
    criteria: { count: { signal: 'QUIZ_PASSED', perfect: true }, gte: 1 },
    points_reward: 25,
  },
  {
    code: 'streak_7',
    name: { fr: 'Série de 7 jours', en: '7-day streak' },
    description: { fr: 'Apprendre 7 jours d’affilée', en: 'Learn 7 days in a row' },
    icon: 'flame',
    criteria: { streak: { gte: 7 } },
    points_reward: 50,
  },
  {
    code: 'streak_30',
    name: { fr: 'Série de 30 jours', en: '30-day streak' },
    description: { fr: 'Apprendre 30 jours d’affilée', en: 'Learn 30 days in a row' },
    icon: 'star',
    criteria: { streak: { gte: 30 } },
    points_reward: 200,
  },
  {
    code: 'course_complete',
    name: { fr: 'Parcours terminé', en: 'Course complete' },
    description: { fr: 'Terminer un premier parcours', en: 'Complete a first course' },
    icon: 'school',
    criteria: count('COURSE_COMPLETED', 1),
    points_reward: 50,
  },
  {
    code: 'expert',
    name: { fr: 'Expert', en: 'Expert' },
    description: { fr: 'Terminer 5 parcours', en: 'Complete 5 courses' },
    icon: 'trophy',
    criteria: count('COURSE_COMPLETED', 5),
    points_reward: 250,
  },
]
