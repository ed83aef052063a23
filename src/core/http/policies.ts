import type { Role } from './roles.ts'

/**
 * Who may do what, declared once: each ability lists the roles that hold it. A route states the ability it
 * needs (`access: may('courses.author')`); services that decide per row (a teacher's own courses) refine it.
 */
export const policies = {
  /** Take a course's steps: students, and staff trying their own courses as a student would. */
  'courses.take': ['student', 'owner', 'admin', 'instructor'],
  /** A student's own pages (their dashboard, rewards, progress), which only a student has. */
  'learner.self': ['student'],
  /** Write courses, steps, quizzes, captions and knowledge-base resources. */
  'courses.author': ['owner', 'admin', 'instructor'],
  /** Read how students do in courses (analytics, a student's page, exports). */
  'courses.analyse': ['owner', 'admin', 'instructor'],
  /** Read the school's catalogue, teams, members and settings as staff. */
  'school.read': ['owner', 'admin', 'instructor', 'support'],
  /** Watch the school's activity and health, and support its members. */
  'school.monitor': ['owner', 'admin', 'support'],
  /** Run the school: members, invitations, teams, tokens, webhooks, settings. */
  'school.administer': ['owner', 'admin'],
  /** Download one's own personal data in the school (GDPR right of access): every member. */
  'privacy.own': ['owner', 'admin', 'instructor', 'student', 'support'],
  /** Produce a member's personal data for them, and erase a member (GDPR access and erasure requests). */
  'privacy.administer': ['owner', 'admin'],
  /** Read the school's audit log: who changed roles, removed members, exported or erased data… */
  'school.audit': ['owner'],
  /** Download the whole school as one archive, to move it to another Sillon instance. */
  'school.export': ['owner'],
  /** Read and write one's conversations (whom one may write to is messaging's rule, rules/who-may-write.ts). */
  'messaging.use': ['owner', 'admin', 'instructor', 'student', 'support'],
  /** Start a group conversation: a team, or a list of members. */
  'messaging.group': ['owner', 'admin', 'instructor'],
  /** Read one's notifications and set which arrive in the app, by e-mail, or not at all. */
  'notifications.own': ['owner', 'admin', 'instructor', 'student', 'support'],
  /** Read the school's mail log: every e-mail sent, waiting or not sent (without an SMTP server). */
  'notifications.mail-log': ['owner', 'admin'],
  /** Read the messages members reported to the school staff. */
  'messaging.moderate': ['owner', 'admin'],
} as const satisfies Record<string, readonly Role[]>

export type Ability = keyof typeof policies

/** The roles that hold an ability: what a route's access rule lists. */
export function may(ability: Ability): readonly Role[] {
  return policies[ability]
}
