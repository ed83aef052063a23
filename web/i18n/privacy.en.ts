import type { privacyFr } from './privacy.fr.ts'

export const privacyEn: typeof privacyFr = {
  mine: {
    title: 'My data',
    intro: 'Everything this school keeps about you: account, enrolments, progress, answers, XP and badges.',
    page: 'See the readable summary',
    json: 'Download (JSON)',
  },
  member: {
    open: 'Personal data of {{name}}',
    title: 'Personal data',
    intro:
      'To answer an access request, hand these files to the person. Each download is recorded in the audit log.',
    page: 'Readable summary',
    json: 'Full data (JSON)',
    erase_title: 'Erase this person',
    erase_intro:
      'Their membership, tokens and invitations are deleted; their enrolments, progress and results stay under an anonymous id, without name, e-mail or free-text answers, so that statistics stay right. Their account is deleted if it belongs to no other school. This cannot be undone.',
    confirm: 'To confirm, type their e-mail: {{email}}',
    erase: 'Erase for good',
    erased: '{{name}} was erased.',
    erased_account: '{{name}} was erased, with their account.',
  },
  retention: {
    title: 'Former members’ data',
    days: 'Keep their personal data (days)',
    description:
      'A member removed from the school keeps their profile and history. This long after they left, they are erased automatically (at night), as the Erase button does. Empty: kept until an erasure is asked.',
    keep: 'No limit',
    save: 'Apply the retention',
    saved: 'Retention saved.',
  },
}
