import type { Db } from '../../core/db/database.ts'
import type { FileStore } from '../../core/files/file-store.ts'
import type { MemberIdentity } from '../../core/http/access.ts'
import { AppError, badRequest, notFound } from '../../core/http/errors.ts'
import { may } from '../../core/http/policies.ts'
import { newId } from '../../core/ids.ts'
import type { ScheduledJob } from '../../core/jobs/job.ts'
import * as repo from './repository.ts'
import type { MessagingDeps } from './service.ts'
import type { AttachmentRow } from './tables.ts'

// Files attached to messages. A member uploads a file into a conversation they take part in
// (`POST /api/conversations/{id}/attachments`), then names it in the message they post; the message's
// transaction claims it, so a file belongs to one message of one conversation, and only that
// conversation's participants download it. The type is judged from the file's first bytes (and, for the
// formats that are zip archives or plain text, from its extension too): what the browser claims is not
// trusted, and every file is served as a download in a sandbox.

/** The largest attachment, unless the server's upload limit (UPLOAD_MAX_BYTES) is lower. */
export const ATTACHMENT_MAX_BYTES = 10_000_000

/** How many files one message carries at most. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 5

/** How many uploads a member may hold unsent at once (across the school): more is 429. */
export const MAX_UNSENT_UPLOADS = 20

/** How long an upload never sent with a message is kept before the prune job deletes it. */
const UNSENT_UPLOAD_RETENTION_HOURS = 24

/** The longest file name kept; a longer one is cut (its extension kept). */
const MAX_NAME_LENGTH = 200

/** The types accepted, and the extensions a name may have for each. */
export const ATTACHMENT_TYPES: Readonly<Record<string, readonly string[]>> = {
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
  'text/plain': ['txt', 'md', 'csv'],
  'audio/mp4': ['m4a'],
  'video/mp4': ['mp4'],
  'application/zip': ['zip'],
  'application/vnd.oasis.opendocument.text': ['odt'],
  'application/vnd.oasis.opendocument.spreadsheet': ['ods'],
  'application/vnd.oasis.opendocument.presentation': ['odp'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': ['pptx'],
}

const typeOfExtension = new Map(
  Object.entries(ATTACHMENT_TYPES).flatMap(([type, extensions]) => extensions.map((e) => [e, type])),
)

function extensionOf(name: string) {
  const dot = name.lastIndexOf('.')
  return dot === -1 ? '' : name.slice(dot + 1).toLowerCase()
}

/** Text is UTF-8 without NUL or other control characters than tab, line feed, carriage return and form feed. */
function isPlainText(bytes: Uint8Array) {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return false
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)
}

/** The accepted type that the file's first bytes (and, for archives and text, its extension) show, or null. */
function attachmentType(bytes: Uint8Array, name: string): string | null {
  const starts = (signature: number[], at = 0) => signature.every((byte, i) => bytes[at + i] === byte)
  const ascii = (text: string, at = 0) =>
    starts(
      [...text].map((c) => c.charCodeAt(0)),
      at,
    )
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (ascii('GIF87a') || ascii('GIF89a')) return 'image/gif'
  if (ascii('RIFF') && ascii('WEBP', 8)) return 'image/webp'
  if (ascii('%PDF-')) return 'application/pdf'
  const byExtension = typeOfExtension.get(extensionOf(name))
  if (ascii('ftyp', 4)) return byExtension === 'audio/mp4' || byExtension === 'video/mp4' ? byExtension : null
  // Office documents and OpenDocument files are zip archives: their extension says which.
  if (starts([0x50, 0x4b, 0x03, 0x04])) {
    return byExtension?.startsWith('application/') && byExtension !== 'application/pdf' ? byExtension : null
  }
  if (byExtension === 'text/plain' && isPlainText(bytes)) return 'text/plain'
  return null
}

/** A file name fit to store and to send back in a header: no folders, no control characters, not too long. */
function cleanName(name: string) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const base = (name.split(/[/\\]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim()
  if (base.length <= MAX_NAME_LENGTH) return base || 'file'
  const extension = extensionOf(base)
  return `${base.slice(0, MAX_NAME_LENGTH - extension.length - 1)}.${extension}`
}

export function attachmentView(row: AttachmentRow) {
  return {
    id: row.id,
    name: row.file_name,
    type: row.file_type,
    size: row.file_size,
    url: `/api/conversations/${row.conversation_id}/attachments/${row.id}`,
  }
}

async function participantConversation(deps: MessagingDeps, me: MemberIdentity, conversationId: string) {
  const row = await repo.conversationOf(deps.db, me.orgId, conversationId, me.userId)
  if (!row) throw notFound('Conversation')
  return row
}

/**
 * Stores an uploaded file for a message the caller is about to post in the conversation: size and type
 * checked first, the file written, then its row (the file is removed again if the row is not).
 */
export async function uploadAttachment(
  deps: MessagingDeps,
  me: MemberIdentity,
  conversationId: string,
  file: File | null,
) {
  await participantConversation(deps, me, conversationId)
  if (!file) throw badRequest('body_required', 'Send the file as multipart/form-data, in the "file" field')
  if ((await repo.countUnsentUploads(deps.db, me.orgId, me.userId)) >= MAX_UNSENT_UPLOADS) {
    throw new AppError(
      429,
      'too_many_unsent_uploads',
      `At most ${MAX_UNSENT_UPLOADS} files wait to be sent: send them with a message first`,
      { retry_after: 60 },
    )
  }
  if (file.size === 0) throw new AppError(400, 'empty_file', 'The file is empty')
  const limit = Math.min(ATTACHMENT_MAX_BYTES, deps.uploadMaxBytes)
  if (file.size > limit)
    throw new AppError(413, 'file_too_large', `Attachments are limited to ${limit} bytes`)
  const bytes = new Uint8Array(await file.arrayBuffer())
  const name = cleanName(file.name)
  const type = attachmentType(bytes, name)
  if (!type) {
    throw new AppError(415, 'unsupported_file_type', 'This type of file cannot be attached to a message', {
      accepted: Object.keys(ATTACHMENT_TYPES),
    })
  }
  const id = newId()
  const row: AttachmentRow = {
    id,
    org_id: me.orgId,
    conversation_id: conversationId,
    message_id: null,
    uploaded_by: me.userId,
    file_key: `${me.orgId}/${id}`,
    file_name: name,
    file_type: type,
    file_size: bytes.byteLength,
    created_at: deps.clock.now().toISOString(),
  }
  await deps.files.put(row.file_key, bytes)
  try {
    await repo.insertAttachment(deps.db, row)
  } catch (err) {
    await deps.files.delete(row.file_key)
    throw err
  }
  return attachmentView(row)
}

/**
 * Attaches the caller's uploads to their new message, inside its transaction. Each id must name a file the
 * caller uploaded into this conversation and not yet sent: anything else (another school's, another
 * conversation's, another member's, one already sent) is refused, and the transaction with it.
 */
export async function claimAttachments(
  trx: Db,
  me: MemberIdentity,
  message: { id: string; conversation_id: string },
  attachmentIds: readonly string[],
) {
  const ids = [...new Set(attachmentIds)]
  if (ids.length === 0) return []
  const claimed = await repo.claimAttachments(trx, me.orgId, me.userId, message, ids)
  if (claimed.length !== ids.length) {
    throw new AppError(
      400,
      'invalid_attachment',
      'An attachment is not one you uploaded into this conversation, or it was already sent',
      { attachment_ids: ids.filter((id) => !claimed.some((row) => row.id === id)) },
    )
  }
  return claimed
}

/**
 * The bytes of an attachment, for the participants of its conversation: a sent one (not deleted with its
 * message), or one's own upload not sent yet; and for the moderators (owners, administrators) once its
 * message is reported, so that they see what was reported. Anyone else, another school included, gets 404.
 */
export async function readAttachment(
  deps: MessagingDeps,
  me: MemberIdentity,
  conversationId: string,
  attachmentId: string,
) {
  const participant = await repo.conversationOf(deps.db, me.orgId, conversationId, me.userId)
  const row = await repo.getAttachment(deps.db, me.orgId, attachmentId)
  if (!row || row.conversation_id !== conversationId) throw notFound('Attachment')
  const visible = participant
    ? row.message_id !== null || row.uploaded_by === me.userId
    : row.message_id !== null &&
      may('messaging.moderate').includes(me.role) &&
      (await repo.isReported(deps.db, me.orgId, row.message_id))
  if (!visible) throw notFound('Attachment')
  const data = await deps.files.get(row.file_key)
  if (!data) throw notFound('Attachment')
  return { data, name: row.file_name, type: row.file_type }
}

/**
 * Every night, deletes the uploads that were never sent with a message and are more than a day old (rows,
 * then files). Idempotent: the cut-off comes from the scheduled instant.
 */
export function pruneUnsentUploadsJob(db: Db, files: FileStore): ScheduledJob {
  return {
    name: 'messaging.prune-unsent-uploads',
    description: `deletes attachments not sent with a message within ${UNSENT_UPLOAD_RETENTION_HOURS} hours`,
    schedule: { cron: '41 3 * * *', timezone: 'UTC' },
    async run(ctx) {
      const before = new Date(ctx.scheduledAt.getTime() - UNSENT_UPLOAD_RETENTION_HOURS * 3_600_000)
      const keys = await repo.deleteUnsentUploads(db, before.toISOString())
      for (const key of keys) await files.delete(key)
      ctx.logger.info({ deleted: keys.length }, 'unsent attachments deleted')
      return { deleted: keys.length }
    },
  }
}
