import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { MemberIdentity } from '../../core/http/access.ts'
import type { AppEnv } from '../../core/http/context.ts'
import { badRequest } from '../../core/http/errors.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import {
  ErrorSchema,
  errorResponses,
  json,
  TOTAL_COUNT_HEADER,
  TotalCountHeaders,
} from '../../core/http/schemas.ts'
import * as s from './schemas.ts'
import * as service from './service.ts'

const EDITORS = ['owner', 'admin', 'instructor'] as const
const STAFF = ['owner', 'admin', 'instructor', 'support'] as const
const MANAGERS = ['owner', 'admin'] as const

/** The caller as a member of their active organisation; every route here requires one. */
const actorOf = (c: Context<AppEnv>) => c.get('identity') as MemberIdentity

export function catalogRoutes(deps: service.CatalogDeps) {
  const app = createRouter()

  // Courses (Unified.to LmsCourse, with Sillon's path extensions)

  const courseTags = ['Courses']
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/courses',
      tags: courseTags,
      summary: 'List courses (learning paths)',
      access: STAFF,
      request: { query: s.CourseListQuery },
      responses: {
        200: {
          description: 'Courses, last updated first',
          headers: TotalCountHeaders,
          ...json(z.array(s.CourseSchema)),
        },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const filter = {
        limit: q.limit,
        offset: q.offset,
        query: q.query,
        updatedGte: q.updated_gte,
        status: q.status,
      }
      const [courses, total] = await Promise.all([
        service.listCourses(deps, actorOf(c), filter),
        service.countCourses(deps, actorOf(c), filter),
      ])
      c.header(TOTAL_COUNT_HEADER, String(total))
      return c.json(courses, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/lms/courses',
      tags: courseTags,
      summary: 'Create a learning path (as a draft), with its enrolments and instructors',
      access: EDITORS,
      request: { body: { ...json(s.CreateCourseBody), required: true } },
      responses: {
        201: { description: 'Created', ...json(s.CourseSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.createCourse(deps, actorOf(c), c.req.valid('json')), 201),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/courses/{id}',
      tags: courseTags,
      summary: 'One course',
      access: STAFF,
      request: { params: s.CourseParams },
      responses: {
        200: { description: 'Course', ...json(s.CourseSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.getCourse(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  for (const method of ['patch', 'put'] as const) {
    app.openapi(
      defineRoute({
        method,
        path: '/api/lms/courses/{id}',
        tags: courseTags,
        summary: 'Update a course; student_ids, team_ids and instructor_ids replace the enrolments given',
        access: EDITORS,
        request: { params: s.CourseParams, body: { ...json(s.UpdateCourseBody), required: true } },
        responses: {
          200: { description: 'Updated', ...json(s.CourseSchema) },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      }),
      async (c) =>
        c.json(
          await service.updateCourse(deps, actorOf(c), c.req.valid('param').id, c.req.valid('json')),
          200,
        ),
    )
  }

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/lms/courses/{id}',
      tags: courseTags,
      summary: 'Delete a draft or archived course',
      access: EDITORS,
      request: { params: s.CourseParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      await service.deleteCourse(deps, actorOf(c), c.req.valid('param').id)
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/courses/{id}/publish',
      tags: courseTags,
      summary: 'Publish a course whose steps are all complete (409 lists what is missing)',
      access: EDITORS,
      request: { params: s.CourseParams },
      responses: {
        200: { description: 'Published', ...json(s.CourseSchema) },
        ...errorResponses(401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.publishCourse(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/courses/{id}/archive',
      tags: courseTags,
      summary: 'Archive a course',
      access: EDITORS,
      request: { params: s.CourseParams },
      responses: {
        200: { description: 'Archived', ...json(s.CourseSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.archiveCourse(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/api/courses/{id}/steps/order',
      tags: courseTags,
      summary: 'Set the order of the steps (every step once; steps students reached cannot move)',
      access: EDITORS,
      request: { params: s.CourseParams, body: { ...json(s.ReorderBody), required: true } },
      responses: {
        200: { description: 'The steps in their new order', ...json(z.array(s.ClassSchema)) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await service.reorderSteps(deps, actorOf(c), c.req.valid('param').id, c.req.valid('json').class_ids),
        200,
      ),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/courses/{id}/export',
      tags: courseTags,
      summary:
        'The course as one JSON document: steps, quizzes with answer keys, handout documents and links',
      access: STAFF,
      request: { params: s.CourseParams },
      responses: {
        200: { description: 'Document', ...json(s.CourseDocumentSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.exportCourse(deps, actorOf(c).orgId, c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/lms/courses/import',
      tags: courseTags,
      summary: 'Create a draft course from an exported document',
      access: EDITORS,
      request: { body: { ...json(s.CourseDocumentSchema), required: true } },
      responses: {
        201: { description: 'Created', ...json(s.CourseSchema) },
        ...errorResponses(400, 401, 403, 409),
      },
    }),
    async (c) => c.json(await service.importCourse(deps, actorOf(c), c.req.valid('json')), 201),
  )

  // Steps (Unified.to LmsClass, with the path extensions)

  const classTags = ['Steps']
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/classes',
      tags: classTags,
      summary: 'List steps; with course_id, in path order',
      access: STAFF,
      request: { query: s.ClassListQuery },
      responses: {
        200: { description: 'Steps', ...json(z.array(s.ClassSchema)) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const q = c.req.valid('query')
      const filter = {
        limit: q.limit,
        offset: q.offset,
        query: q.query,
        updatedGte: q.updated_gte,
        courseId: q.course_id,
      }
      return c.json(await service.listClasses(deps, actorOf(c), filter), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/lms/classes',
      tags: classTags,
      summary: 'Add a step to a course (at the end unless order_index says where)',
      access: EDITORS,
      request: { body: { ...json(s.CreateClassBody), required: true } },
      responses: {
        201: { description: 'Created', ...json(s.ClassSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.createClass(deps, actorOf(c), c.req.valid('json')), 201),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/classes/{id}',
      tags: classTags,
      summary: 'One step, with its quiz and answer key',
      access: STAFF,
      request: { params: s.ClassParams },
      responses: { 200: { description: 'Step', ...json(s.ClassSchema) }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => c.json(await service.getClass(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  for (const method of ['patch', 'put'] as const) {
    app.openapi(
      defineRoute({
        method,
        path: '/api/lms/classes/{id}',
        tags: classTags,
        summary: 'Update a step (only the fields given change)',
        access: EDITORS,
        request: { params: s.ClassParams, body: { ...json(s.UpdateClassBody), required: true } },
        responses: {
          200: { description: 'Updated', ...json(s.ClassSchema) },
          ...errorResponses(400, 401, 403, 404, 409),
        },
      }),
      async (c) =>
        c.json(
          await service.updateClass(deps, actorOf(c), c.req.valid('param').id, c.req.valid('json')),
          200,
        ),
    )
  }

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/classes/{id}/playback',
      tags: classTags,
      summary: "Play a step's video (a private Stream video comes with a signed token)",
      access: STAFF,
      request: { params: s.ClassParams },
      responses: {
        200: { description: 'How to play it', ...json(s.PlaybackSchema) },
        503: { description: 'Stream signing is not configured', ...json(ErrorSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.previewPlayback(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  const captionTags = ['Steps']
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/classes/{id}/captions',
      tags: captionTags,
      summary: "The caption tracks of a step's video",
      access: 'member',
      request: { params: s.ClassParams },
      responses: {
        200: { description: 'Caption tracks', ...json(z.array(s.CaptionSchema)) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.listCaptions(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/lms/classes/{id}/captions',
      tags: captionTags,
      summary: "Upload a WebVTT caption track for a step's video (multipart: file, language, label)",
      access: EDITORS,
      request: {
        params: s.ClassParams,
        // Not "required", so that a missing form is judged after the step: another school's step is 404.
        body: { content: { 'multipart/form-data': { schema: s.CaptionUploadForm } }, required: false },
      },
      responses: {
        201: { description: 'Added', ...json(s.CaptionSchema) },
        415: { description: 'Not a WebVTT file', ...json(ErrorSchema) },
        ...errorResponses(400, 401, 403, 404, 409, 413),
      },
    }),
    async (c) => {
      const multipart = (c.req.header('content-type') ?? '').startsWith('multipart/form-data')
      const form = multipart ? c.req.valid('form') : null
      return c.json(await service.createCaption(deps, actorOf(c), c.req.valid('param').id, form), 201)
    },
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/lms/classes/{id}/captions/{caption_id}',
      tags: captionTags,
      summary: 'Remove a caption track (and its file)',
      access: EDITORS,
      request: { params: s.CaptionParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, caption_id } = c.req.valid('param')
      await service.deleteCaption(deps, actorOf(c), id, caption_id)
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/lms/classes/{id}/captions/{caption_id}/file',
      tags: captionTags,
      summary: 'A caption track as the player loads it (text/vtt)',
      access: 'member',
      request: { params: s.CaptionParams },
      responses: {
        200: { description: 'The WebVTT file', content: { 'text/vtt': { schema: { type: 'string' } } } },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const { id, caption_id } = c.req.valid('param')
      const data = await service.readCaptionFile(deps, actorOf(c), id, caption_id)
      c.header('Content-Type', 'text/vtt; charset=utf-8')
      c.header('Content-Security-Policy', "default-src 'none'; sandbox")
      c.header('Cache-Control', 'private, no-cache')
      return c.body(data as Uint8Array<ArrayBuffer>, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/lms/classes/{id}',
      tags: classTags,
      summary: 'Remove a step (not one that students have reached)',
      access: EDITORS,
      request: { params: s.ClassParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      await service.deleteClass(deps, actorOf(c), c.req.valid('param').id)
      return c.body(null, 204)
    },
  )

  // KMS: the course handout

  const kmsTags = ['Course handout (KMS)']
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/courses/{id}/kms',
      tags: kmsTags,
      summary:
        'The course handout as the caller may see it (students: advance resources, all once completed)',
      access: 'member',
      request: { params: s.CourseParams },
      responses: {
        200: { description: 'Resources', ...json(s.KmsListSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => c.json(await service.listKms(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/courses/{id}/kms',
      tags: kmsTags,
      summary: 'Add a document or link (JSON) or upload a file (multipart) to the handout',
      access: EDITORS,
      request: {
        params: s.CourseParams,
        body: {
          content: {
            'application/json': { schema: s.CreateKmsBody },
            'multipart/form-data': { schema: s.KmsUploadForm },
          },
          // Not "required": that would run both validators; each one runs for its own content type.
          required: false,
        },
      },
      responses: {
        201: { description: 'Added', ...json(s.KmsResourceSchema) },
        415: { description: 'File type not accepted', ...json(ErrorSchema) },
        ...errorResponses(400, 401, 403, 404, 409, 413),
      },
    }),
    async (c) => {
      const courseId = c.req.valid('param').id
      const contentType = c.req.header('content-type') ?? ''
      const multipart = contentType.startsWith('multipart/form-data')
      if (!multipart && !contentType.startsWith('application/json')) {
        throw badRequest('body_required', 'Send a JSON document or link, or a multipart file upload')
      }
      const body = multipart ? c.req.valid('form') : c.req.valid('json')
      const created =
        'file' in body
          ? await service.createKmsFile(deps, actorOf(c), courseId, body)
          : await service.createKmsResource(deps, actorOf(c), courseId, body)
      return c.json(created, 201)
    },
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/courses/{id}/kms/{resource_id}',
      tags: kmsTags,
      summary: 'Change a handout resource',
      access: EDITORS,
      request: { params: s.KmsParams, body: { ...json(s.UpdateKmsBody), required: true } },
      responses: {
        200: { description: 'Updated', ...json(s.KmsResourceSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { id, resource_id } = c.req.valid('param')
      return c.json(
        await service.updateKmsResource(deps, actorOf(c), id, resource_id, c.req.valid('json')),
        200,
      )
    },
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/courses/{id}/kms/{resource_id}',
      tags: kmsTags,
      summary: 'Remove a handout resource (and its file)',
      access: EDITORS,
      request: { params: s.KmsParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, resource_id } = c.req.valid('param')
      await service.deleteKmsResource(deps, actorOf(c), id, resource_id)
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/courses/{id}/kms/{resource_id}/file',
      tags: kmsTags,
      summary: 'Download a handout file',
      access: 'member',
      request: { params: s.KmsParams },
      responses: {
        200: {
          description: 'The file',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const { id, resource_id } = c.req.valid('param')
      const file = await service.readKmsFile(deps, actorOf(c), id, resource_id)
      c.header('Content-Type', file.type)
      c.header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
      c.header('Content-Security-Policy', "default-src 'none'; sandbox")
      c.header('Cache-Control', 'private, no-store')
      return c.body(file.data as Uint8Array<ArrayBuffer>, 200)
    },
  )

  // Teams

  const teamTags = ['Teams']
  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/teams',
      tags: teamTags,
      summary: 'List teams (cohorts)',
      access: STAFF,
      request: { query: s.TeamListQuery },
      responses: {
        200: { description: 'Teams by name', headers: TotalCountHeaders, ...json(z.array(s.TeamSchema)) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => {
      const { teams, total } = await service.listTeams(deps, actorOf(c), c.req.valid('query'))
      c.header(TOTAL_COUNT_HEADER, String(total))
      return c.json(teams, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/me/teams',
      tags: teamTags,
      summary: "The signed-in student's teams (id and name), for team leaderboards",
      access: 'member',
      responses: {
        200: { description: 'Teams', ...json(s.MyTeamsSchema) },
        ...errorResponses(401),
      },
    }),
    async (c) => c.json(await service.myTeams(deps, actorOf(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/teams',
      tags: teamTags,
      summary: 'Create a team',
      access: MANAGERS,
      request: { body: { ...json(s.CreateTeamBody), required: true } },
      responses: {
        201: { description: 'Created', ...json(s.TeamSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.createTeam(deps, actorOf(c), c.req.valid('json')), 201),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/teams/{id}',
      tags: teamTags,
      summary: 'One team',
      access: STAFF,
      request: { params: s.TeamParams },
      responses: { 200: { description: 'Team', ...json(s.TeamSchema) }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => c.json(await service.getTeam(deps, actorOf(c), c.req.valid('param').id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/teams/{id}',
      tags: teamTags,
      summary: 'Rename a team or replace its students',
      access: MANAGERS,
      request: { params: s.TeamParams, body: { ...json(s.UpdateTeamBody), required: true } },
      responses: {
        200: { description: 'Updated', ...json(s.TeamSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(await service.updateTeam(deps, actorOf(c), c.req.valid('param').id, c.req.valid('json')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/teams/{id}',
      tags: teamTags,
      summary: 'Delete a team (its students stay enrolled only where they were enrolled directly)',
      access: MANAGERS,
      request: { params: s.TeamParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      await service.deleteTeam(deps, actorOf(c), c.req.valid('param').id)
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/teams/{id}/members',
      tags: teamTags,
      summary: 'Add a student to a team',
      access: MANAGERS,
      request: { params: s.TeamParams, body: { ...json(s.AddTeamMemberBody), required: true } },
      responses: {
        200: { description: 'Team', ...json(s.TeamSchema) },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) =>
      c.json(
        await service.addTeamMember(
          deps,
          actorOf(c),
          c.req.valid('param').id,
          c.req.valid('json').student_id,
        ),
        200,
      ),
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/teams/{id}/members/{student_id}',
      tags: teamTags,
      summary: 'Take a student out of a team',
      access: MANAGERS,
      request: { params: s.TeamMemberParams },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const { id, student_id } = c.req.valid('param')
      await service.removeTeamMember(deps, actorOf(c), id, student_id)
      return c.body(null, 204)
    },
  )

  return app
}
