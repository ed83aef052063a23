export const categories = ['messages', 'courses', 'reminders', 'achievements', 'billing'] as const
export type Category = (typeof categories)[number]

export const channels = ['in_app', 'email', 'off'] as const
export type Channel = (typeof channels)[number]

/**
 * queued: waits for the sender (which claims it until `claimed_until` while sending); sent; failed: the SMTP
 * server refused it for good, or every attempt failed; not_sent: no SMTP server is configured (SMTP_URL),
 * kept for the mail log.
 */
export const mailStatuses = ['queued', 'sent', 'failed', 'not_sent'] as const
export type MailStatus = (typeof mailStatuses)[number]

export type MailRow = {
  id: string
  org_id: string | null
  user_id: string | null
  to_address: string
  locale: 'fr' | 'en'
  template: string
  subject: string
  text_body: string
  html_body: string
  dedupe_key: string | null
  status: MailStatus
  attempts: number
  next_attempt_at: string
  claimed_until: string | null
  last_error: string | null
  created_at: string
  sent_at: string | null
}

export type NotificationRow = {
  id: string
  org_id: string
  user_id: string
  /** The person the notification is about (an account or a student profile), if any. */
  about_id: string | null
  category: Category
  kind: string
  key: string
  group_key: string | null
  params_json: string
  link: string | null
  created_at: string
  read_at: string | null
  email_due_at: string | null
  emailed_at: string | null
}

type PreferenceRow = {
  org_id: string
  user_id: string
  /** The person the notification is about (an account or a student profile), if any. */
  about_id: string | null
  category: Category
  channel: Channel
  updated_at: string
}

export type NotificationsTables = {
  mail_outbox: MailRow
  notifications: NotificationRow
  notification_preferences: PreferenceRow
}
