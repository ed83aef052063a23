import { parseJson } from '../../../core/db/json.ts'
import type { LmsPersonRow } from '../tables.ts'

export function toWirePerson(row: LmsPersonRow) {
  return {
    id: row.id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    user_id: row.user_id,
    name: row.name,
    first_name: row.first_name,
    last_name: row.last_name,
    emails: parseJson<{ email: string; type?: 'WORK' | 'HOME' | 'OTHER' }[]>(row.emails_json, []),
    telephones: parseJson<{ telephone: string; type?: 'WORK' | 'HOME' | 'OTHER' | 'FAX' | 'MOBILE' }[]>(
      row.telephones_json,
      [],
    ),
    address: parseJson<Record<string, string> | null>(row.address_json, null),
    image_url: row.image_url,
    title: row.title,
    raw: parseJson<Record<string, unknown> | null>(row.raw_json, null),
  }
}
