import { AppError, notFound } from '../../../core/http/errors.ts'
import { newId } from '../../../core/ids.ts'
import * as identity from '../../identity/index.ts'
import { assertMayEdit, assertNotArchived, loadCourse } from '../courses/checks.ts'
import * as courseRepo from '../courses/repository.ts'
import { type Actor, type CatalogDeps, now } from '../deps.ts'
import type { CourseRow, KmsResourceRow } from '../tables.ts'
import { kmsView } from './presenters.ts'
import * as repo from './repository.ts'

// KMS: the course handout

/** File types a handout may hold: documents, office files, images, audio and video, archives. */
const KMS_FILE_TYPES = new Map<string, string[]>([
  ['application/pdf', ['pdf']],
  ['text/plain', ['txt']],
  ['text/markdown', ['md']],
  ['text/csv', ['csv']],
  ['image/png', ['png']],
  ['image/jpeg', ['jpg', 'jpeg']],
  ['image/gif', ['gif']],
  ['image/webp', ['webp']],
  ['audio/mpeg', ['mp3']],
  ['video/mp4', ['mp4']],
  ['application/zip', ['zip']],
  ['application/vnd.oasis.opendocument.text', ['odt']],
  ['application/vnd.oasis.opendocument.spreadsheet', ['ods']],
  ['application/vnd.oasis.opendocument.presentation', ['odp']],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', ['docx']],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ['xlsx']],
  ['application/vnd.openxmlformats-officedocument.presentationml.presentation', ['pptx']],
])

const kmsFileTypes = [...KMS_FILE_TYPES.keys()]

/**
 * What of a course's handout the caller may open: staff everything; an enrolled student the resources
 * marked available in advance, and all of them once the course is completed. Others see no course at all.
 */
async function kmsAccess(deps: CatalogDeps, actor: Actor, course: CourseRow) {
  if (actor.role !== 'student') return { student: false, completed: true }
  const { studentId } = await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
  const enrolled =
    studentId !== null &&
    course.status !== 'draft' &&
    (await courseRepo.isStudentEnrolled(deps.db, actor.orgId, course.id, studentId))
  if (!enrolled || !studentId) throw notFound('Course')
  return {
    student: true,
    completed: await deps.progress.hasCompletedCourse(actor.orgId, course.id, studentId),
  }
}

export async function listKms(deps: CatalogDeps, actor: Actor, courseId: string) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  const access = await kmsAccess(deps, actor, course)
  const rows = await repo.listKms(deps.db, actor.orgId, courseId)
  const visible = rows.filter((r) => access.completed || r.available_in_advance === 1)
  return { data: visible.map((r) => kmsView(r, true)), locked: rows.length - visible.length }
}

export type KmsInput =
  | { type: 'document'; title: string; body: string; available_in_advance: boolean }
  | { type: 'link'; title: string; url: string; available_in_advance: boolean }

async function nextKmsIndex(deps: CatalogDeps, orgId: string, courseId: string) {
  const rows = await repo.listKms(deps.db, orgId, courseId)
  return rows.reduce((max, r) => Math.max(max, r.order_index + 1), 0)
}

async function editableCourse(deps: CatalogDeps, actor: Actor, courseId: string) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  await assertMayEdit(deps, actor, course)
  assertNotArchived(course)
  return course
}

export async function createKmsResource(deps: CatalogDeps, actor: Actor, courseId: string, input: KmsInput) {
  await editableCourse(deps, actor, courseId)
  const at = now(deps)
  const row: Omit<KmsResourceRow, 'org_id'> = {
    id: newId(),
    course_id: courseId,
    type: input.type,
    title: input.title,
    body_md: input.type === 'document' ? input.body : null,
    url: input.type === 'link' ? input.url : null,
    file_key: null,
    file_name: null,
    file_type: null,
    file_size: null,
    available_in_advance: input.available_in_advance ? 1 : 0,
    order_index: await nextKmsIndex(deps, actor.orgId, courseId),
    created_at: at,
    updated_at: at,
  }
  await repo.insertKms(deps.db, actor.orgId, row)
  return kmsView({ ...row, org_id: actor.orgId }, true)
}

function fileExtension(name: string) {
  const dot = name.lastIndexOf('.')
  return dot === -1 ? '' : name.slice(dot + 1).toLowerCase()
}

/** Stores an uploaded file (size and type checked) and records it; the file is written before the row. */
export async function createKmsFile(
  deps: CatalogDeps,
  actor: Actor,
  courseId: string,
  input: { title?: string; file: File; available_in_advance: boolean },
) {
  await editableCourse(deps, actor, courseId)
  const { file } = input
  if (file.size === 0) throw new AppError(400, 'empty_file', 'The file is empty')
  if (file.size > deps.uploadMaxBytes) {
    throw new AppError(413, 'file_too_large', `Files are limited to ${deps.uploadMaxBytes} bytes`)
  }
  const type = file.type.split(';')[0]?.trim().toLowerCase() ?? ''
  const extensions = KMS_FILE_TYPES.get(type)
  if (!extensions?.includes(fileExtension(file.name))) {
    throw new AppError(
      415,
      'unsupported_file_type',
      `This type of file is not accepted (${type || 'unknown'})`,
      {
        accepted: kmsFileTypes,
      },
    )
  }
  const id = newId()
  const key = `${actor.orgId}/${id}`
  await deps.files.put(key, new Uint8Array(await file.arrayBuffer()))
  const at = now(deps)
  const row: Omit<KmsResourceRow, 'org_id'> = {
    id,
    course_id: courseId,
    type: 'file',
    title: input.title?.trim() || file.name,
    body_md: null,
    url: null,
    file_key: key,
    file_name: file.name,
    file_type: type,
    file_size: file.size,
    available_in_advance: input.available_in_advance ? 1 : 0,
    order_index: await nextKmsIndex(deps, actor.orgId, courseId),
    created_at: at,
    updated_at: at,
  }
  try {
    await repo.insertKms(deps.db, actor.orgId, row)
  } catch (err) {
    await deps.files.delete(key)
    throw err
  }
  return kmsView({ ...row, org_id: actor.orgId }, true)
}

async function loadKms(deps: CatalogDeps, orgId: string, courseId: string, resourceId: string) {
  const row = await repo.getKms(deps.db, orgId, courseId, resourceId)
  if (!row) throw notFound('Resource')
  return row
}

export async function updateKmsResource(
  deps: CatalogDeps,
  actor: Actor,
  courseId: string,
  resourceId: string,
  input: { title?: string; body?: string; url?: string; available_in_advance?: boolean },
) {
  await editableCourse(deps, actor, courseId)
  const row = await loadKms(deps, actor.orgId, courseId, resourceId)
  if (input.body !== undefined && row.type !== 'document') {
    throw new AppError(400, 'not_a_document', 'Only a document has a body')
  }
  if (input.url !== undefined && row.type !== 'link')
    throw new AppError(400, 'not_a_link', 'Only a link has a URL')
  const patch: Partial<KmsResourceRow> = { updated_at: now(deps) }
  if (input.title !== undefined) patch.title = input.title
  if (input.body !== undefined) patch.body_md = input.body
  if (input.url !== undefined) patch.url = input.url
  if (input.available_in_advance !== undefined)
    patch.available_in_advance = input.available_in_advance ? 1 : 0
  await repo.updateKms(deps.db, actor.orgId, resourceId, patch)
  return kmsView({ ...row, ...patch }, true)
}

export async function deleteKmsResource(
  deps: CatalogDeps,
  actor: Actor,
  courseId: string,
  resourceId: string,
) {
  await editableCourse(deps, actor, courseId)
  const row = await loadKms(deps, actor.orgId, courseId, resourceId)
  await repo.deleteKms(deps.db, actor.orgId, resourceId)
  if (row.file_key) await deps.files.delete(row.file_key)
}

/** The bytes of a handout file, for whoever may open it. */
export async function readKmsFile(deps: CatalogDeps, actor: Actor, courseId: string, resourceId: string) {
  const course = await loadCourse(deps, actor.orgId, courseId)
  const access = await kmsAccess(deps, actor, course)
  const row = await loadKms(deps, actor.orgId, courseId, resourceId)
  if (row.type !== 'file' || !row.file_key) throw notFound('File')
  if (!access.completed && row.available_in_advance !== 1) throw notFound('Resource')
  const data = await deps.files.get(row.file_key)
  if (!data) throw notFound('File')
  return { data, name: row.file_name ?? 'file', type: row.file_type ?? 'application/octet-stream' }
}
