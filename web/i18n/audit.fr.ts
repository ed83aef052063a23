// The audit log page (owners), in French. Merged under the key `audit`; audit.en.ts must have the same keys.

export const auditFr = {
  title: 'Journal d’audit',
  intro:
    'Les actions d’administration de l’établissement : qui a fait quoi, quand et d’où. Le journal ne peut pas être modifié ; seules les données d’une personne effacée y sont remplacées par un pseudonyme.',
  empty: 'Aucune action enregistrée pour l’instant.',
  search: 'Rechercher une personne',
  search_hint: 'Le nom ou l’e-mail de l’auteur ou de la cible',
  action_filter: 'Action',
  all_actions: 'Toutes les actions',
  from: 'Du',
  to: 'Au',
  download: 'Télécharger (CSV)',
  scope: 'Journal de',
  scope_school: '{{name}} (cet établissement)',
  scope_platform: 'La plateforme',
  scope_all: 'Tous les établissements',
  school: 'Établissement',
  when: 'Quand',
  who: 'Qui',
  what: 'Quoi',
  target: 'Sur',
  where: 'D’où',
  unknown_address: 'Adresse inconnue',
  actors: {
    cli: 'Ligne de commande',
    system: 'Système',
    superadmin: 'Administrateur de la plateforme',
  },
  // Nested as the actions are dotted: t(`audit.actions.${action}`) finds them.
  actions: {
    member: {
      invited: 'Membre invité',
      role_changed: 'Rôle changé',
      removed: 'Membre retiré',
    },
    token: {
      created: 'Jeton d’API créé',
      revoked: 'Jeton d’API révoqué',
    },
    course: {
      published: 'Cours publié',
      archived: 'Cours archivé',
      exported: 'Cours exporté',
      imported: 'Cours importé',
    },
    gamification: {
      settings_changed: 'Règles de gamification modifiées',
      xp_rebuild_requested: 'Recalcul des XP demandé',
    },
    school: {
      exported: 'Établissement exporté',
      imported: 'Établissement importé',
    },
    person: {
      exported: 'Données d’une personne exportées',
      erased: 'Personne effacée',
    },
    privacy: {
      retention_changed: 'Durée de conservation modifiée',
    },
    backup: {
      created: 'Sauvegarde créée',
      restored: 'Sauvegarde restaurée',
    },
    superadmin: {
      granted: 'Administration de la plateforme accordée',
      revoked: 'Administration de la plateforme retirée',
    },
  },
  details: {
    role_change: 'rôle : {{from}} → {{to}}',
    role: 'rôle : {{role}}',
    class: 'classe : {{name}}',
    tokens_revoked: '{{count}} jeton(s) révoqué(s)',
    token_owner: 'titulaire : {{email}}',
    status_from: 'statut précédent : {{status}}',
    steps: '{{count}} étape(s)',
    setting_change: '{{name}} : {{from}} → {{to}}',
  },
  statuses: { draft: 'brouillon', published: 'publié', archived: 'archivé' },
}
