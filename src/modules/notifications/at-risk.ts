import { ORGANISATION_TIMEZONE, type ScheduledJob } from '../../core/jobs/job.ts'
import { type NotificationsDeps, notify } from './service.ts'

/** The students at risk in a school's courses right now, with whom to tell (reporting, wired in app.ts). */
export type AtRiskPort = (orgId: string) => Promise<
  {
    course: { id: string; name: string }
    student: { id: string; name: string }
    instructorUserIds: string[]
  }[]
>

/**
 * Each morning in each school's time zone, tells the instructors of a course which of its students are at
 * risk: once a day at most per student and course (the key holds the day's period), e-mailed as one digest
 * per course when left unread.
 */
export function atRiskJob(deps: NotificationsDeps, atRisk: AtRiskPort): ScheduledJob {
  return {
    name: 'notifications.students-at-risk',
    description: "tells instructors which of their courses' students are at risk, once a day",
    schedule: { cron: '0 8 * * *', timezone: ORGANISATION_TIMEZONE },
    async run(ctx) {
      if (!ctx.orgId) return { notified: 0 }
      let notified = 0
      for (const entry of await atRisk(ctx.orgId)) {
        if (entry.instructorUserIds.length === 0) continue
        await notify(deps, ctx.orgId, {
          recipients: entry.instructorUserIds,
          category: 'courses',
          kind: 'student.at_risk',
          key: `at-risk:${entry.course.id}:${entry.student.id}:${ctx.period}`,
          group: `at-risk:${entry.course.id}`,
          params: { student: entry.student.name, course: entry.course.name },
          link: `/teach/courses/${entry.course.id}/students/${entry.student.id}`,
          about: entry.student.id,
        })
        notified++
      }
      return { notified }
    },
  }
}
