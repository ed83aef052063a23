import type { Context } from 'hono'
import type { AppEnv } from '../../core/http/context.ts'
import { may } from '../../core/http/policies.ts'
import { createRouter, defineRoute } from '../../core/http/router.ts'
import { errorResponses, json } from '../../core/http/schemas.ts'
import { courseResultsCsv } from './courses/results-csv.ts'
import * as courses from './courses/service.ts'
import * as dashboard from './dashboard/service.ts'
import type { ReportingDeps } from './deps.ts'
import * as monitoring from './monitoring/service.ts'
import * as overview from './overview/service.ts'
import * as s from './schemas.ts'

/** Course reports: the service narrows instructors to the courses they are assigned to. */
const orgOf = (c: Context<AppEnv>) => c.get('member').orgId

export function reportingRoutes(deps: ReportingDeps) {
  const app = createRouter()
  const tags = ['Monitoring']

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/monitoring/events-daily',
      tags,
      summary: 'Events per day (UTC) and type (v_event_daily_stats)',
      access: may('school.monitor'),
      request: { query: s.DailyStatsQuery },
      responses: {
        200: { description: 'Counts', ...json(s.DailyStatsSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) =>
      c.json({ data: await monitoring.dailyEventStats(deps, orgOf(c), c.req.valid('query')) }, 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/monitoring/signals',
      tags,
      summary: 'Per student, the count of each signal (v_signal_summary)',
      access: may('school.monitor'),
      responses: {
        200: { description: 'Counts', ...json(s.SignalSummarySchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json({ data: await monitoring.signalSummary(deps, orgOf(c)) }, 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/monitoring/activity',
      tags,
      summary: 'Per student, the last event and the events of the last 24 hours (v_user_activity)',
      access: may('school.monitor'),
      responses: {
        200: { description: 'Activity', ...json(s.UserActivitySchema) },
        ...errorResponses(401, 403),
      },
    }),
    async (c) => c.json({ data: await monitoring.recentActivity(deps, orgOf(c)) }, 200),
  )

  const dashboards = ['Dashboards']

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/me/dashboard',
      tags: dashboards,
      summary: "The student's home: courses and next steps, XP and level, streak, hearts, badges, skills",
      description:
        'For members with a student profile (others get 403 `not_a_student`). The streak calendar ends today ' +
        "in the school's time zone; hearts include regeneration up to now.",
      access: 'member',
      request: { query: s.DashboardQuery },
      responses: {
        200: { description: 'Dashboard', ...json(s.StudentDashboardSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await dashboard.studentDashboard(deps, c.get('member'), c.req.valid('query')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/me/courses/{course_id}/recap',
      tags: dashboards,
      summary: 'What the student did in one of their courses: XP and badges its steps brought, time spent',
      description:
        'For students enrolled in the course (a course they are not in is 404). ' +
        "Badges count when the course's steps earned them; time is counted as in the course reports.",
      access: may('learner.self'),
      request: { params: s.CourseRecapParams },
      responses: {
        200: { description: 'Recap', ...json(s.CourseRecapSchema) },
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) =>
      c.json(await dashboard.courseRecap(deps, c.get('member'), c.req.valid('param').course_id), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/admin/overview',
      tags: dashboards,
      summary: 'The school at a glance: activity, enrolments, completions, mastery, students at risk',
      description:
        "Active students over the school's last 1, 7 and 30 days, enrolments and completions per course, " +
        'average mastery per course, events per day (school time zone) and the students at risk in published ' +
        'courses with their reasons, most severe first. School-wide, so for owners, admins and support; ' +
        'instructors use the analytics of their courses.',
      access: may('school.monitor'),
      request: { query: s.OverviewQuery },
      responses: {
        200: { description: 'Overview', ...json(s.AdminOverviewSchema) },
        ...errorResponses(400, 401, 403),
      },
    }),
    async (c) => c.json(await overview.adminOverview(deps, orgOf(c), c.req.valid('query')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/courses/{id}/analytics',
      tags: dashboards,
      summary: "A course's funnel per step and its students with their progress and at-risk reasons",
      description:
        'For owners, admins and the instructors assigned to the course (another instructor gets 403).',
      access: may('courses.analyse'),
      request: { params: s.CourseIdParam, query: s.AnalyticsQuery },
      responses: {
        200: { description: 'Analytics', ...json(s.CourseAnalyticsSchema) },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) =>
      c.json(
        await courses.courseAnalytics(deps, c.get('member'), c.req.valid('param').id, c.req.valid('query')),
        200,
      ),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/courses/{id}/students/{studentId}',
      tags: dashboards,
      summary: 'One enrolled student in a course: path, quiz attempts, time per step, mastery, activity',
      description:
        'Same access as the course analytics: owners, admins and the instructors assigned to the course. ' +
        'A student not enrolled in the course is 404.',
      access: may('courses.analyse'),
      request: { params: s.CourseStudentParams, query: s.StudentInCourseQuery },
      responses: {
        200: { description: 'The student in the course', ...json(s.StudentInCourseSchema) },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { id, studentId } = c.req.valid('param')
      return c.json(
        await courses.studentInCourse(deps, c.get('member'), id, studentId, c.req.valid('query')),
        200,
      )
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/courses/{id}/results.csv',
      tags: dashboards,
      summary: "A course's results as CSV, one row per enrolled student",
      description:
        'Name, e-mail, classes, status, progress, current step, best score of each quiz step, time spent, ' +
        'course mastery and last activity. UTF-8 with a byte order mark (for Excel), comma-separated, ' +
        'quoted as RFC 4180. Same access as the course analytics.',
      access: may('courses.analyse'),
      request: { params: s.CourseIdParam, query: s.ResultsCsvQuery },
      responses: {
        200: {
          description: 'The results',
          content: { 'text/csv': { schema: { type: 'string' } } },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const { course, csv } = await courseResultsCsv(
        deps,
        c.get('member'),
        c.req.valid('param').id,
        c.req.valid('query'),
      )
      c.header('Content-Type', 'text/csv; charset=utf-8')
      c.header(
        'Content-Disposition',
        `attachment; filename="results.csv"; filename*=UTF-8''${encodeURIComponent(`${course.name}.csv`)}`,
      )
      c.header('Cache-Control', 'private, no-store')
      return c.body(csv, 200)
    },
  )

  return app
}
