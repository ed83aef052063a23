import { describe, expect, it } from 'vitest'
import type { Role } from '../../../core/http/roles.ts'
import { mayWrite } from './who-may-write.ts'

// The whole table, sender by recipient: `course` when the recipient teaches one of the sender's courses,
// `setting` when the school lets students write to one another. A change shows here as one line.
type Cell = boolean | 'course' | 'setting'
const table: Record<Role, Record<Role, Cell>> = {
  //          to: owner  admin  instructor  student  support
  owner: { owner: true, admin: true, instructor: true, student: true, support: true },
  admin: { owner: true, admin: true, instructor: true, student: true, support: true },
  instructor: { owner: true, admin: true, instructor: true, student: true, support: true },
  student: { owner: true, admin: true, instructor: 'course', student: 'setting', support: true },
  support: { owner: true, admin: true, instructor: true, student: false, support: false },
}

const cases = Object.entries(table).flatMap(([from, row]) =>
  Object.entries(row).map(([to, cell]) => ({ from: from as Role, to: to as Role, cell })),
)

describe('who may write to whom', () => {
  it.each(cases)('$from → $to: $cell', ({ from, to, cell }) => {
    for (const teachesSender of [false, true]) {
      for (const studentMessaging of [false, true]) {
        const expected = cell === 'course' ? teachesSender : cell === 'setting' ? studentMessaging : cell
        const decision = mayWrite({ from, to, teachesSender, studentMessaging })
        expect(decision.allowed, `teaches: ${teachesSender}, setting: ${studentMessaging}`).toBe(expected)
      }
    }
  })

  it('names the refusal so that a client can say why', () => {
    const refusal = (facts: Parameters<typeof mayWrite>[0]) => {
      const d = mayWrite(facts)
      return d.allowed ? null : d.code
    }
    const base = { teachesSender: false, studentMessaging: false }
    expect(refusal({ ...base, from: 'student', to: 'instructor' })).toBe('not_your_instructor')
    expect(refusal({ ...base, from: 'student', to: 'student' })).toBe('student_messaging_off')
    expect(refusal({ ...base, from: 'support', to: 'student' })).toBe('not_staff')
  })
})
