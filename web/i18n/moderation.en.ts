import type { moderationFr } from './moderation.fr.ts'

export const moderationEn: typeof moderationFr = {
  nav: 'Reported messages',
  title: 'Reported messages',
  intro:
    'The messages members reported to the school staff, newest first, as they stand now. The conversation opens only for those who take part in it; attached files can be downloaded here.',
  empty: 'No message has been reported.',
  reported_by: 'Reported by {{name}}',
  reported_at: 'on {{date}}',
  reason: 'Reason',
  reason_erased: 'Reason erased with the person’s data.',
  message_by: 'Message from {{name}}',
  message_gone: 'This message no longer exists.',
  edited: 'edited',
  open_conversation: 'Open the conversation',
  load_more: 'Show more reports',
  report_label: 'Report by {{name}}, {{date}}',
}
