import { expect } from 'vitest'
import type { TestApp, TestClient } from '../../../test/helpers/app.ts'
import { completeSteps } from '../../../test/helpers/factories.ts'
import { profilesOfUser } from '../identity/index.ts'

type Someone = { userId: string }

/**
 * For the messaging tests: a published course of one step, taught by the instructor, with the student
 * enrolled (what lets a student write to an instructor). Made by a staff member's client.
 */
export async function publishedCourse(
  t: TestApp,
  orgId: string,
  staff: TestClient,
  instructor: Someone,
  student: Someone,
) {
  const instructorId = (await profilesOfUser(t.identity, orgId, instructor.userId)).instructorId
  const studentId = (await profilesOfUser(t.identity, orgId, student.userId)).studentId
  const course = await staff.post('/api/lms/courses', {
    name: 'Le système solaire',
    instructor_ids: [instructorId],
    student_ids: [studentId],
  })
  expect(course.status, JSON.stringify(course.body)).toBe(201)
  const step = await staff.post('/api/lms/classes', { course_id: course.body.id, ...completeSteps.reading })
  expect(step.status, JSON.stringify(step.body)).toBe(201)
  const published = await staff.post(`/api/courses/${course.body.id}/publish`)
  expect(published.status, JSON.stringify(published.body)).toBe(200)
  return course.body.id as string
}
