import { describe, expect, it } from 'vitest'
import { type Ability, may, policies } from './policies.ts'
import { type Role, roles } from './roles.ts'

// The whole table, role by role: a change of who may do what shows here, reviewed as one line.
const table: Record<Ability, Record<Role, boolean>> = {
  //                      owner  admin  instructor  student  support
  'courses.take': row(true, true, true, true, false),
  'learner.self': row(false, false, false, true, false),
  'courses.author': row(true, true, true, false, false),
  'courses.analyse': row(true, true, true, false, false),
  'school.read': row(true, true, true, false, true),
  'school.monitor': row(true, true, false, false, true),
  'school.administer': row(true, true, false, false, false),
  'privacy.own': row(true, true, true, true, true),
  'privacy.administer': row(true, true, false, false, false),
  'school.audit': row(true, false, false, false, false),
  'school.export': row(true, false, false, false, false),
  'messaging.use': row(true, true, true, true, true),
  'messaging.group': row(true, true, true, false, false),
  'notifications.own': row(true, true, true, true, true),
  'notifications.mail-log': row(true, true, false, false, false),
  'messaging.moderate': row(true, true, false, false, false),
}

function row(owner: boolean, admin: boolean, instructor: boolean, student: boolean, support: boolean) {
  return { owner, admin, instructor, student, support }
}

describe('policies', () => {
  it.each(Object.keys(policies) as Ability[])('gives %s to exactly the roles of the table', (ability) => {
    for (const role of roles)
      expect(may(ability).includes(role), `${ability} × ${role}`).toBe(table[ability][role])
  })

  it('never gives a student what only staff do, nor staff what is a student’s own', () => {
    for (const ability of ['courses.author', 'courses.analyse', 'school.read', 'school.monitor'] as const) {
      expect(may(ability)).not.toContain('student')
    }
    expect(may('learner.self')).toEqual(['student'])
  })
})
