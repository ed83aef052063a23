import type { PrivacyPort } from '../../core/privacy/port.ts'
import { pseudonymiseRows, rowsAbout } from '../../core/privacy/port.ts'

// Enrolments, class (team) memberships, courses taught, and the author of a course. Erasure moves the
// first three to the person's pseudonymous profile (the courses keep their student counts) and forgets
// who created a course.

export const catalogPrivacy: PrivacyPort = {
  module: 'catalog',
  declares: [
    {
      table: 'course_students',
      subjectColumns: ['student_id'],
      personalColumns: [],
      note: 'Enrolments. Kept under the pseudonymous student id.',
    },
    {
      table: 'team_members',
      subjectColumns: ['student_id'],
      personalColumns: [],
      note: 'Class (team) memberships. Kept under the pseudonymous student id.',
    },
    {
      table: 'course_instructors',
      subjectColumns: ['instructor_id'],
      personalColumns: [],
      note: 'Courses an instructor teaches. Kept under the pseudonymous instructor id.',
    },
    {
      table: 'lms_course',
      subjectColumns: ['created_by'],
      personalColumns: [],
      note: 'The account that created a course. Set to nothing.',
    },
  ],

  async exportPerson(db, subject) {
    const { orgId } = subject
    const courses = (ids: string[]) =>
      ids.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('lms_course')
            .select(['id', 'name'])
            .where('org_id', '=', orgId)
            .where('id', 'in', ids)
            .execute()
    const enrolments = await rowsAbout(db, orgId, 'course_students', 'student_id', subject.studentId)
    const teaching = await rowsAbout(db, orgId, 'course_instructors', 'instructor_id', subject.instructorId)
    const teams = subject.studentId
      ? await db
          .selectFrom('team_members')
          .innerJoin('teams', 'teams.id', 'team_members.team_id')
          .select(['teams.id', 'teams.name', 'team_members.created_at'])
          .where('team_members.org_id', '=', orgId)
          .where('team_members.student_id', '=', subject.studentId)
          .execute()
      : []
    return {
      enrolments: await courses(enrolments.map((e) => String(e.course_id))),
      classes: teams,
      courses_taught: await courses(teaching.map((e) => String(e.course_id))),
      courses_created: await db
        .selectFrom('lms_course')
        .select(['id', 'name', 'created_at'])
        .where('org_id', '=', orgId)
        .where('created_by', '=', subject.userId)
        .execute(),
    }
  },

  async erasePerson(trx, subject, pseudonyms) {
    const { orgId } = subject
    for (const table of ['course_students', 'team_members']) {
      await pseudonymiseRows(trx, orgId, pseudonyms, {
        table,
        whereColumn: 'student_id',
        columns: ['student_id'],
      })
    }
    await pseudonymiseRows(trx, orgId, pseudonyms, {
      table: 'course_instructors',
      whereColumn: 'instructor_id',
      columns: ['instructor_id'],
    })
    await trx
      .updateTable('lms_course')
      .set({ created_by: null })
      .where('org_id', '=', orgId)
      .where('created_by', '=', subject.userId)
      .execute()
    return undefined
  },
}
