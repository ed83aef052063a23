import type { Role } from '../../../core/http/roles.ts'

// Who may start a conversation with whom inside one school (never across schools: the service answers 404
// for a member of another school before asking this). Staff (owner, admin, instructor) write to any member;
// a student writes to the school's owners, administrators and support, to the instructors of the courses
// they are enrolled in, and to other students only when the school allows it; support writes to staff.
// Group conversations are staff's to create (the `messaging.group` ability of core/http/policies.ts).

const staff: readonly Role[] = ['owner', 'admin', 'instructor']

export type WriteFacts = {
  from: Role
  to: Role
  /** The recipient is an instructor of a course the sender (a student) is enrolled in. */
  teachesSender: boolean
  /** The school lets students write to one another. */
  studentMessaging: boolean
}

export type WriteDecision = { allowed: true } | { allowed: false; code: string; message: string }

const allowed: WriteDecision = { allowed: true }

/** Whether a member may start a direct conversation with another; when not, the refusal's code and reason. */
export function mayWrite(facts: WriteFacts): WriteDecision {
  if (staff.includes(facts.from)) return allowed
  if (facts.from === 'support') {
    return staff.includes(facts.to)
      ? allowed
      : { allowed: false, code: 'not_staff', message: 'Support members write to the school staff only' }
  }
  // A student.
  if (facts.to === 'owner' || facts.to === 'admin' || facts.to === 'support') return allowed
  if (facts.to === 'instructor') {
    return facts.teachesSender
      ? allowed
      : {
          allowed: false,
          code: 'not_your_instructor',
          message: 'Students write to the instructors of the courses they are enrolled in',
        }
  }
  return facts.studentMessaging
    ? allowed
    : {
        allowed: false,
        code: 'student_messaging_off',
        message: 'This school does not let students write to one another',
      }
}
