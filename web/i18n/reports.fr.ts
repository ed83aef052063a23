// Course reports for staff (abandonment, time, one student's page, the CSV export), in French.
// Merged under the key `reports`; reports.en.ts must have the same keys (its type checks it).

export const reportsFr = {
  in_progress: 'En cours',
  abandoned: 'Abandon',
  abandoned_count: 'Ont abandonné',
  abandon_rule_one:
    'Abandon : pas d’activité depuis {{count}} jour alors que le cours, ouvert, n’est pas terminé (réglage de l’établissement).',
  abandon_rule_other:
    'Abandon : pas d’activité depuis {{count}} jours alors que le cours, ouvert, n’est pas terminé (réglage de l’établissement).',
  time_rule:
    'Temps : de l’ouverture de l’étape (fin de l’étape précédente) à sa validation, au plus 1 h (3 h pour une vidéo).',
  chart_label: 'Élèves par étape : atteinte, terminée, abandon',
  download_csv: 'Télécharger les résultats (CSV)',
  time_spent: 'Temps passé',
  open_student: 'Voir le suivi de {{name}}',
  status: {
    not_started: 'Pas commencé',
    in_progress: 'En cours',
    abandoned: 'Abandonné',
    completed: 'Terminé',
  },
  back_to_course: 'Analyse du cours',
  progress: 'Progression',
  last_activity: 'Dernière activité',
  enrolled_on: 'Inscrit le {{date}}',
  teams: 'Classes',
  teams_list: 'Classes : {{list}}',
  no_team: 'Aucune classe',
  path: 'Parcours',
  state: {
    done: 'Terminée',
    current: 'En cours',
    locked: 'Verrouillée',
  },
  opened_on: 'Ouverte le {{date}}',
  completed_on: 'Terminée le {{date}}',
  time_on_step: 'Temps : {{time}}',
  attempts: 'Essais de quiz',
  no_attempts: 'Aucun essai de quiz.',
  attempt_at: 'Date',
  attempt_step: 'Étape',
  attempt_number: 'Essai',
  score: 'Score',
  passed: 'Réussi',
  failed: 'Échoué',
  mastery: 'Maîtrise',
  course_mastery: 'Maîtrise du cours',
  no_mastery: 'Pas encore de réponse à un quiz.',
  skills: 'Compétences',
  no_skills: 'Aucune compétence travaillée.',
  at_risk: 'À surveiller',
}
