import { AppError, badRequest, conflict, notFound } from '../../../core/http/errors.ts'
import { newId } from '../../../core/ids.ts'
import * as identity from '../../identity/index.ts'
import { assertMayEdit, assertNotArchived, loadCourse } from '../courses/checks.ts'
import * as courseRepo from '../courses/repository.ts'
import { type Actor, type CatalogDeps, now } from '../deps.ts'
import { loadClass } from '../steps/service.ts'
import type { StepCaptionRow } from '../tables.ts'
import { captionView } from './presenters.ts'
import * as repo from './repository.ts'

// Caption tracks (WebVTT) of step videos

/** Caption files stay small: an hour of subtitles is about 100 KB. */
const CAPTION_MAX_BYTES = 1_000_000

/** Staff of the school, or a student enrolled in the step's published course, may read its captions. */
async function assertMayReadCaptions(deps: CatalogDeps, actor: Actor, classId: string) {
  const row = await loadClass(deps, actor.orgId, classId)
  if (actor.role !== 'student') return row
  const course = await loadCourse(deps, actor.orgId, row.course_id)
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  const enrolled =
    studentId !== null &&
    course.status !== 'draft' &&
    (await courseRepo.isStudentEnrolled(deps.db, actor.orgId, course.id, studentId))
  if (!enrolled) throw notFound('Step')
  return row
}

export async function listCaptions(deps: CatalogDeps, actor: Actor, classId: string) {
  await assertMayReadCaptions(deps, actor, classId)
  return (await repo.listCaptions(deps.db, actor.orgId, [classId])).map(captionView)
}

/**
 * Stores a WebVTT file as a caption track of the step's video. The file must be WebVTT (it starts with the
 * `WEBVTT` signature, whatever type the browser claims), so the player never loads anything else as a track.
 */
export async function createCaption(
  deps: CatalogDeps,
  actor: Actor,
  classId: string,
  input: { file: File; language: string; label: string } | null,
) {
  const row = await loadClass(deps, actor.orgId, classId)
  const course = await loadCourse(deps, actor.orgId, row.course_id)
  await assertMayEdit(deps, actor, course)
  assertNotArchived(course)
  if (!input)
    throw badRequest('body_required', 'Send the WebVTT file, its language and label as multipart/form-data')
  if (!row.video_json) throw conflict('no_video', 'This step has no video to caption')
  const { file } = input
  if (file.size === 0) throw new AppError(400, 'empty_file', 'The file is empty')
  const limit = Math.min(CAPTION_MAX_BYTES, deps.uploadMaxBytes)
  if (file.size > limit)
    throw new AppError(413, 'file_too_large', `Caption files are limited to ${limit} bytes`)
  const bytes = new Uint8Array(await file.arrayBuffer())
  // The signature may follow a byte order mark; then a space, a tab or the end of the line.
  const head = new TextDecoder().decode(bytes.slice(0, 16)).replace(/^\uFEFF/, '')
  if (!/^WEBVTT($|[ \t\r\n])/.test(head)) {
    throw new AppError(
      415,
      'unsupported_file_type',
      'Captions must be a WebVTT file (.vtt, starting with WEBVTT)',
      {
        accepted: ['text/vtt'],
      },
    )
  }
  const id = newId()
  const key = `${actor.orgId}/${newId()}`
  await deps.files.put(key, bytes)
  const caption: Omit<StepCaptionRow, 'org_id'> = {
    id,
    class_id: classId,
    language: input.language,
    label: input.label,
    file_key: key,
    file_size: file.size,
    created_at: now(deps),
  }
  try {
    await repo.insertCaption(deps.db, actor.orgId, caption)
  } catch (err) {
    await deps.files.delete(key)
    throw err
  }
  return captionView({ ...caption, org_id: actor.orgId })
}

export async function deleteCaption(deps: CatalogDeps, actor: Actor, classId: string, captionId: string) {
  const row = await loadClass(deps, actor.orgId, classId)
  const course = await loadCourse(deps, actor.orgId, row.course_id)
  await assertMayEdit(deps, actor, course)
  assertNotArchived(course)
  const caption = await repo.getCaption(deps.db, actor.orgId, classId, captionId)
  if (!caption) throw notFound('Caption')
  await repo.deleteCaption(deps.db, actor.orgId, captionId)
  await deps.files.delete(caption.file_key)
}

export async function readCaptionFile(deps: CatalogDeps, actor: Actor, classId: string, captionId: string) {
  await assertMayReadCaptions(deps, actor, classId)
  const caption = await repo.getCaption(deps.db, actor.orgId, classId, captionId)
  if (!caption) throw notFound('Caption')
  const data = await deps.files.get(caption.file_key)
  if (!data) throw notFound('File')
  return data
}
