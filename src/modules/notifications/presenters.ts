import { parseJson } from '../../core/db/json.ts'
import type { Locale } from '../identity/index.ts'
import { titleOf } from './kinds.ts'
import type { MailParams } from './mail/render.ts'
import { mailTemplates } from './mail/templates.ts'
import type { MailRow, NotificationRow } from './tables.ts'

export function mailView(row: MailRow) {
  const template = mailTemplates[row.template as keyof typeof mailTemplates] as
    | { secret?: boolean }
    | undefined
  return {
    id: row.id,
    to: row.to_address,
    template: row.template,
    locale: row.locale,
    subject: row.subject,
    text: template?.secret ? null : row.text_body,
    status: row.status,
    attempts: Number(row.attempts),
    last_error: row.last_error,
    created_at: row.created_at,
    sent_at: row.sent_at,
  }
}

export function notificationView(row: NotificationRow, locale: Locale) {
  const params = parseJson<MailParams>(row.params_json, {})
  return {
    id: row.id,
    category: row.category,
    kind: row.kind,
    title: titleOf(row.kind, locale, params),
    params,
    link: row.link,
    group: row.group_key,
    created_at: row.created_at,
    read_at: row.read_at,
  }
}

/** Page cursors: the sort key of the last item shown, as opaque base64url text. */
export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url')
}

export function decodeCursor(cursor: string): unknown[] | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    return Array.isArray(parsed) ? parsed : null
  } catch {
    return null
  }
}
