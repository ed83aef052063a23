// The audit log page (owners), in English: the same keys as audit.fr.ts.

import type { auditFr } from './audit.fr.ts'

export const auditEn: typeof auditFr = {
  title: 'Audit log',
  intro:
    'The administrative actions of the school: who did what, when and from where. The log cannot be changed; only an erased person’s data in it is replaced by a pseudonym.',
  empty: 'No action recorded yet.',
  search: 'Search for a person',
  search_hint: 'The name or e-mail of who acted or was acted on',
  action_filter: 'Action',
  all_actions: 'All actions',
  from: 'From',
  to: 'To',
  download: 'Download (CSV)',
  scope: 'Log of',
  scope_school: '{{name}} (this school)',
  scope_platform: 'The platform',
  scope_all: 'Every school',
  school: 'School',
  when: 'When',
  who: 'Who',
  what: 'What',
  target: 'On',
  where: 'From where',
  unknown_address: 'Unknown address',
  actors: {
    cli: 'Command line',
    system: 'System',
    superadmin: 'Platform administrator',
  },
  // Nested as the actions are dotted: t(`audit.actions.${action}`) finds them.
  actions: {
    member: {
      invited: 'Member invited',
      role_changed: 'Role changed',
      removed: 'Member removed',
    },
    token: {
      created: 'API token created',
      revoked: 'API token revoked',
    },
    course: {
      published: 'Course published',
      archived: 'Course archived',
      exported: 'Course exported',
      imported: 'Course imported',
    },
    gamification: {
      settings_changed: 'Gamification rules changed',
      xp_rebuild_requested: 'XP recount requested',
    },
    school: {
      exported: 'School exported',
      imported: 'School imported',
    },
    person: {
      exported: 'A person’s data exported',
      erased: 'Person erased',
    },
    privacy: {
      retention_changed: 'Retention period changed',
    },
    backup: {
      created: 'Backup created',
      restored: 'Backup restored',
    },
    superadmin: {
      granted: 'Platform administration granted',
      revoked: 'Platform administration withdrawn',
    },
  },
  details: {
    role_change: 'role: {{from}} → {{to}}',
    role: 'role: {{role}}',
    class: 'class: {{name}}',
    tokens_revoked: '{{count}} token(s) revoked',
    token_owner: 'owner: {{email}}',
    status_from: 'previous status: {{status}}',
    steps: '{{count}} step(s)',
    setting_change: '{{name}}: {{from}} → {{to}}',
  },
  statuses: { draft: 'draft', published: 'published', archived: 'archived' },
}
