import nodemailer from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js'
import { type MailTransport, PermanentMailError } from '../mail/transport.ts'

/** Bounded waits, so that a sender run facing a dead server ends and tries again later. */
const TIMEOUTS: SMTPTransport.Options = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000,
}

/**
 * Sends through an SMTP server with nodemailer: `smtp://user:pass@host:587` (STARTTLS when offered) or
 * `smtps://…:465`. A 5xx answer is permanent; anything else (refused connection, timeout, 4xx) is retried.
 */
export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport({ url, ...TIMEOUTS })
  return {
    async send(mail) {
      try {
        await transporter.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
        })
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode
        if (typeof code === 'number' && code >= 500 && code < 600) {
          throw new PermanentMailError((err as Error).message)
        }
        throw err
      }
    },
    close: () => transporter.close(),
  }
}
