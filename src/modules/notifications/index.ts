// The notifications module's public face: the in-app inbox, members' preferences, and the mail outbox that
// every e-mail of Sillon goes through.
import type { NotificationsTables } from './tables.ts'

export { smtpTransport } from './adapters/smtp.ts'
export { atRiskJob } from './at-risk.ts'
export { digestJob } from './digest.ts'
export { queueMail, sendMailJob } from './mail/outbox.ts'
export type { MailTransport } from './mail/transport.ts'
export { notificationsPrivacy } from './privacy.ts'
export {
  markGroupRead,
  type NotificationsDeps,
  type NotifyInput,
  notify,
} from './service.ts'

declare module '../../core/db/database.ts' {
  /** The tables the notifications module owns. */
  interface Database extends NotificationsTables {}
}
