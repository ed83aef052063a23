import { notFound } from '../../../core/http/errors.ts'
import { newId } from '../../../core/ids.ts'
import { type AuditActor, auditActor, cliActor, recordAudit } from '../../audit/index.ts'
import * as identity from '../../identity/index.ts'
import { assertWithinPlan, loadCourse } from '../courses/checks.ts'
import type { CourseView } from '../courses/presenters.ts'
import * as courseRepo from '../courses/repository.ts'
import { type CourseInput, courseViews, draftCourseRow, getCourse } from '../courses/service.ts'
import { type Actor, type CatalogDeps, now } from '../deps.ts'
import * as kmsRepo from '../kms/repository.ts'
import type { KmsInput } from '../kms/service.ts'
import * as stepRepo from '../steps/repository.ts'
import { type ClassInput, classRow, classViews, writeQuiz } from '../steps/service.ts'
import { courseDocument } from './presenters.ts'

// Export and import: a course as one JSON document, to move it between schools or ship demo content

export type CourseDocument = {
  format: 'sillon.course'
  version: 1
  exported_at?: string
  course: Omit<CourseInput, 'student_ids' | 'instructor_ids' | 'team_ids'> & { name: string }
  steps: (ClassInput & { name: string })[]
  kms: KmsInput[]
}

/**
 * The course, its steps with their quizzes, and its handout documents and links (files stay behind).
 * `by` is who exports, for the audit log (the command line when not given); null for a caller that records
 * its own entry (a whole school's export).
 */
export async function exportCourse(
  deps: CatalogDeps,
  orgId: string,
  courseId: string,
  by: AuditActor | null = cliActor,
): Promise<CourseDocument> {
  const course = await loadCourse(deps, orgId, courseId)
  const [view] = (await courseViews(deps, orgId, [course])) as [CourseView]
  const steps = await classViews(deps, orgId, await stepRepo.listCourseSteps(deps.db, orgId, courseId))
  const kms = await kmsRepo.listKms(deps.db, orgId, courseId)
  if (by) {
    await recordAudit(deps, {
      orgId,
      actor: by,
      action: 'course.exported',
      target: { type: 'course', id: courseId, label: course.name },
    })
  }
  return courseDocument(view, steps, kms, now(deps))
}

/**
 * Creates a draft course from a document, with its steps, quizzes and handout, in one transaction.
 * An instructor who imports it is assigned to it.
 */
export async function importCourse(deps: CatalogDeps, actor: Actor, document: CourseDocument) {
  const { instructorId } =
    actor.role === 'instructor'
      ? await identity.profilesOfUser(deps.identity, actor.orgId, actor.userId)
      : { instructorId: null }
  const courseId = await importIntoOrganisation(
    deps,
    actor.orgId,
    actor.userId,
    instructorId,
    document,
    auditActor(actor),
  )
  return getCourse(deps, actor, courseId)
}

/** The organisation a course belongs to, for the command line, which acts on the whole platform. */
export async function organisationOfCourse(deps: CatalogDeps, courseId: string): Promise<string> {
  const orgId = await courseRepo.findCourseOrganisation(deps.db, courseId)
  if (!orgId) throw notFound(`Course ${courseId}`)
  return orgId
}

/**
 * The import itself, also used by the command line and the demo seed (no member performs it there: `by`,
 * who the audit log names, is then the command line).
 */
export async function importIntoOrganisation(
  deps: CatalogDeps,
  orgId: string,
  authorUserId: string | null,
  instructorId: string | null,
  document: CourseDocument,
  by: AuditActor = cliActor,
): Promise<string> {
  const at = now(deps)
  const courseId = newId()
  await deps.db.transaction().execute(async (trx) => {
    await courseRepo.insertCourse(trx, orgId, draftCourseRow(courseId, document.course, authorUserId, at))
    if (instructorId) await courseRepo.replaceCourseInstructors(trx, orgId, courseId, [instructorId], at)
    for (const [index, step] of document.steps.entries()) {
      const quizId = step.quiz ? await writeQuiz(trx, orgId, undefined, step.quiz, at) : null
      await stepRepo.insertClass(trx, orgId, classRow(newId(), courseId, index, step, quizId, at))
    }
    for (const [index, resource] of document.kms.entries()) {
      await kmsRepo.insertKms(trx, orgId, {
        id: newId(),
        course_id: courseId,
        type: resource.type,
        title: resource.title,
        body_md: resource.type === 'document' ? resource.body : null,
        url: resource.type === 'link' ? resource.url : null,
        file_key: null,
        file_name: null,
        file_type: null,
        file_size: null,
        available_in_advance: resource.available_in_advance ? 1 : 0,
        order_index: index,
        created_at: at,
        updated_at: at,
      })
    }
    await assertWithinPlan(deps, trx, orgId, true)
    await recordAudit(
      { db: trx, clock: deps.clock },
      {
        orgId,
        actor: by,
        action: 'course.imported',
        target: { type: 'course', id: courseId, label: document.course.name },
        details: { steps: document.steps.length, handout: document.kms.length },
      },
    )
  })
  return courseId
}
