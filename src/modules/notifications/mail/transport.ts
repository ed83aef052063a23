/** One e-mail as the transport sends it. */
type OutgoingMail = {
  from: string
  to: string
  subject: string
  text: string
  html: string
  /** Stable per outbox row, so that a receiver can recognise a copy sent again after a crash. */
  messageId: string
}

/** Raised by a transport when the server refused the message for good (SMTP 5xx): trying again won't help. */
export class PermanentMailError extends Error {}

/** Where e-mails leave Sillon: SMTP (adapters/smtp.ts) in production. */
export type MailTransport = {
  send(mail: OutgoingMail): Promise<void>
  close(): void
}
