// The messages members reported to the school's staff (/messages/reports), for owners and administrators.
export const moderationFr = {
  nav: 'Messages signalés',
  title: 'Messages signalés',
  intro:
    'Les messages que des membres ont signalés à l’équipe de l’établissement, les plus récents d’abord, tels qu’ils sont maintenant. La conversation ne s’ouvre qu’à ceux qui y participent ; les fichiers joints se téléchargent ici.',
  empty: 'Aucun message n’a été signalé.',
  reported_by: 'Signalé par {{name}}',
  reported_at: 'le {{date}}',
  reason: 'Motif',
  reason_erased: 'Motif effacé avec les données de la personne.',
  message_by: 'Message de {{name}}',
  message_gone: 'Ce message n’existe plus.',
  edited: 'modifié',
  open_conversation: 'Ouvrir la conversation',
  load_more: 'Voir plus de signalements',
  report_label: 'Signalement de {{name}}, {{date}}',
}
