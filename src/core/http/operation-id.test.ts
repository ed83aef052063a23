import { describe, expect, it } from 'vitest'
import { deriveOperationId } from './operation-id.ts'

describe('deriveOperationId', () => {
  it.each([
    ['get', '/api/lms/courses', 'listLmsCourses'],
    ['get', '/api/lms/courses/{id}', 'getLmsCourse'],
    ['post', '/api/lms/courses', 'createLmsCourse'],
    ['patch', '/api/lms/courses/{id}', 'updateLmsCourse'],
    ['put', '/api/lms/courses/{id}', 'replaceLmsCourse'],
    ['delete', '/api/lms/courses/{id}', 'deleteLmsCourse'],
    ['post', '/api/courses/{id}/publish', 'publishCourse'],
    ['post', '/api/lms/courses/import', 'importLmsCourse'],
    ['get', '/api/lms/courses/{id}/export', 'exportLmsCourse'],
    ['post', '/api/invitations/accept', 'acceptInvitation'],
    ['get', '/api/me/badges', 'listMyBadges'],
    ['get', '/api/me/courses/{course_id}', 'getMyCourse'],
    ['get', '/api/webhooks/{id}/deliveries', 'listWebhookDeliveries'],
    ['post', '/api/teams/{id}/members', 'createTeamMember'],
    ['delete', '/api/teams/{id}/members/{student_id}', 'deleteTeamMember'],
    ['get', '/api/courses/{id}/kms', 'getCourseKms'],
    ['get', '/api/courses/{id}/analytics', 'getCourseAnalytics'],
    ['get', '/api/gamification/settings', 'getGamificationSettings'],
    ['get', '/api/monitoring/events-daily', 'getMonitoringEventsDaily'],
    ['post', '/api/video-event', 'createVideoEvent'],
    ['get', '/api/health', 'getHealth'],
  ])('names %s %s %s', (method, path, expected) => {
    expect(deriveOperationId(method, path)).toBe(expected)
  })

  it('keeps the list and the item of a collection named in the singular apart', () => {
    const list = deriveOperationId('get', '/unified/lms/{connection_id}/student')
    const item = deriveOperationId('get', '/unified/lms/{connection_id}/student/{id}')
    expect([list, item]).toEqual(['getUnifiedLmsStudent', 'getUnifiedLmsStudentById'])
  })

  it('singularises the item of a collection whatever its plural', () => {
    expect(deriveOperationId('get', '/api/lms/classes/{id}')).toBe('getLmsClass')
    expect(deriveOperationId('delete', '/api/deliveries/{id}')).toBe('deleteDelivery')
    expect(deriveOperationId('patch', '/api/statuses/{id}')).toBe('updateStatus')
  })
})
