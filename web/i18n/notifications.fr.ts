// Notifications: the bell and its inbox, the preferences page and the administrators' mail log, in French.
// Merged under the key `notifications`; notifications.en.ts must have the same keys (its type checks it).

export const notificationsFr = {
  bell: 'Notifications',
  bell_unread_zero: 'Notifications, aucune non lue',
  bell_unread_one: 'Notifications, {{count}} non lue',
  bell_unread_other: 'Notifications, {{count}} non lues',
  inbox: 'Notifications',
  empty: 'Aucune notification pour l’instant.',
  mark_all_read: 'Tout marquer comme lu',
  mark_read: 'Marquer comme lue',
  unread: 'Non lue',
  load_more: 'Notifications plus anciennes',
  preferences_link: 'Choisir mes notifications',
  // What each kind says (its dots written _); {{…}} are the notification's params. A kind not listed here shows the server's title.
  kinds: {
    message_received: 'Nouveau message de {{sender}}',
    message_reported: 'Message signalé par {{reporter}}',
    course_assigned: 'Nouveau parcours : {{course}}',
    badge_awarded: 'Nouveau badge : {{badge}}',
    student_at_risk: '{{student}} est en difficulté dans {{course}}',
  },
  preferences: {
    title: 'Mes notifications',
    intro:
      'Pour chaque sorte de notification, choisissez comment elle vous parvient. Ces choix valent pour cet établissement.',
    saved: 'Vos choix de notifications sont enregistrés.',
    categories: {
      messages: 'Messages',
      courses: 'Parcours et cours',
      reminders: 'Rappels',
      achievements: 'Badges et réussites',
      billing: 'Facturation',
    },
    hints: {
      messages: 'Un message resté non lu vous est envoyé par e-mail, regroupé par conversation.',
      courses: 'Un nouveau parcours qui vous est attribué, un cours publié pour votre classe.',
      reminders: 'Rendez-vous et échéances.',
      achievements: 'Un badge gagné ; pour l’équipe, un élève en difficulté.',
      billing: 'Abonnement et factures.',
    },
    channels: {
      in_app: 'Dans Sillon',
      email: 'Dans Sillon et par e-mail',
      off: 'Désactivées',
    },
  },
  mail_log: {
    nav: 'Journal des e-mails',
    title: 'Journal des e-mails',
    intro:
      'Chaque e-mail écrit aux membres de l’établissement : invitations, notifications, résumés de messages. Le texte des e-mails contenant un lien secret (réinitialisation du mot de passe) n’est jamais affiché.',
    not_configured_title: 'Aucun serveur d’e-mail n’est configuré',
    not_configured:
      'Les e-mails sont enregistrés ici, pas envoyés. Pour les envoyer, l’administrateur du serveur renseigne SMTP_URL (et MAIL_FROM).',
    status_filter: 'État',
    all_statuses: 'Tous les états',
    statuses: {
      queued: 'En attente',
      sent: 'Envoyé',
      failed: 'Échec',
      not_sent: 'Non envoyé',
    },
    empty: 'Aucun e-mail pour l’instant.',
    empty_filtered: 'Aucun e-mail dans cet état.',
    to: 'Destinataire',
    subject: 'Objet',
    status: 'État',
    created: 'Écrit le',
    sent: 'Envoyé le',
    attempts_one: '{{count}} tentative',
    attempts_other: '{{count}} tentatives',
    last_error: 'Dernière erreur : {{error}}',
    secret: 'Texte masqué : cet e-mail contient un lien secret.',
    show_text: 'Voir le texte',
    load_more: 'E-mails plus anciens',
  },
}
