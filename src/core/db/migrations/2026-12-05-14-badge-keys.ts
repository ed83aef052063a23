import type { Kysely } from 'kysely'

// Default badges were stored with names in the school's language only, so an English reader of a French
// school saw French names. A default badge now carries a translation key (its code) that front ends render
// in the reader's language. A default badge whose name and description are still one of the texts Sillon
// gave it gets the key; one the school renamed keeps its stored name (no key). The texts are copied here,
// as they were, so that this migration does not change when the defaults do.

const DEFAULT_TEXTS: Record<string, { names: string[]; descriptions: string[] }> = {
  first_video: {
    names: ['Première vidéo', 'First video'],
    descriptions: ['Regarder une première vidéo en entier', 'Watch a first video to the end'],
  },
  video_5: {
    names: ['Cinq vidéos', 'Five videos'],
    descriptions: ['Regarder 5 vidéos en entier', 'Watch 5 videos to the end'],
  },
  video_25: {
    names: ['Vingt-cinq vidéos', 'Twenty-five videos'],
    descriptions: ['Regarder 25 vidéos en entier', 'Watch 25 videos to the end'],
  },
  first_quiz: {
    names: ['Premier quiz', 'First quiz'],
    descriptions: ['Réussir un premier quiz', 'Pass a first quiz'],
  },
  quiz_master: {
    names: ['Maître des quiz', 'Quiz master'],
    descriptions: ['Réussir 10 quiz', 'Pass 10 quizzes'],
  },
  perfectionist: {
    names: ['Perfectionniste', 'Perfectionist'],
    descriptions: [
      'Réussir un quiz sans aucune erreur du premier coup',
      'Pass a quiz with every point at the first attempt',
    ],
  },
  streak_7: {
    names: ['Série de 7 jours', '7-day streak'],
    descriptions: ['Apprendre 7 jours d’affilée', 'Learn 7 days in a row'],
  },
  streak_30: {
    names: ['Série de 30 jours', '30-day streak'],
    descriptions: ['Apprendre 30 jours d’affilée', 'Learn 30 days in a row'],
  },
  course_complete: {
    names: ['Parcours terminé', 'Course complete'],
    descriptions: ['Terminer un premier parcours', 'Complete a first course'],
  },
  expert: {
    names: ['Expert', 'Expert'],
    descriptions: ['Terminer 5 parcours', 'Complete 5 courses'],
  },
}

type Badges = {
  gamification_badge: {
    id: string
    org_id: string
    code: string
    name: string
    description: string | null
    key: string | null
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('gamification_badge').addColumn('key', 'text').execute()
  const badges = db as Kysely<Badges>
  for (const [code, texts] of Object.entries(DEFAULT_TEXTS)) {
    await badges
      .updateTable('gamification_badge')
      .set({ key: code })
      // A school's own badge cannot take a default code: the defaults are created before any other.
      .where('code', '=', code)
      .where('name', 'in', texts.names)
      .where('description', 'in', texts.descriptions)
      .execute()
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('gamification_badge').dropColumn('key').execute()
}
