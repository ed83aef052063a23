// What a school archive holds, table by table: every tenant table (a table with org_id) is either copied,
// in an order where a row comes after the rows it references, or left out for a stated reason. The test
// beside this file fails when a new tenant table is in neither list.

/**
 * Tenant tables copied whole (every row of the school), in foreign-key order. A table this instance does
 * not have (an older schema) is left out of the archive, and an archive without a table imports none.
 */
export const copiedTables = [
  'memberships',
  'lms_student',
  'lms_instructor',
  'teams',
  'team_members',
  'lms_course',
  'course_instructors',
  'course_students',
  'course_teams',
  'quizzes',
  'lms_class',
  'step_caption',
  'kms_resource',
  'invitations',
  'gamification_settings',
  'gamification_badge',
  'gamification_award',
  'gamification_counter',
  'gamification_score',
  'gamification_score_histogram',
  'gamification_streak',
  'gamification_week_score',
  'gamification_activity_day',
  'hearts',
  'xp_ledger',
  // The logs come before the read models: their new sequence numbers are what the read models' own
  // sequence columns are translated to.
  'lms_event',
  'lms_signal',
  'gamification_xp_rebuild',
  'v_user_progress',
  'v_streak_history',
  'mastery_question',
  'v_course_mastery',
  'v_skill_mastery',
  // The integration events the school's webhooks are sent from, and which a person's data lists.
  'integration_outbox',
  'tally_inbox',
  'tally_rejections',
  'audit_log',
  'privacy_settings',
  'privacy_departures',
  // Conversations name their members by account id without a foreign key (an erased person's pseudonym
  // has no account), so no account travels for them beyond the school's members.
  'conversations',
  'conversation_participants',
  'messages',
  // A member's inbox and how notifications reach them.
  'notifications',
  'notification_preferences',
  'message_attachments',
  'message_reports',
] as const

export type CopiedTable = (typeof copiedTables)[number]

/** Tenant tables left behind, and why. */
export const excludedTables: Record<string, string> = {
  api_tokens: 'credentials for this instance: the school issues new tokens on the new one',
  job_runs: "this instance's scheduler records; the new instance's scheduler keeps its own",
  realtime_events:
    'live events kept a few days for reconnecting sockets: copies of messages and notifications, which travel',
  realtime_presence: "which of this instance's nodes holds whose open sockets",
  realtime_recipients: 'whom each live event is for (see realtime_events)',
  realtime_streams: "the numbering of this instance's live events; the new instance numbers its own",
  realtime_tickets: 'single-use tickets valid 30 seconds',
  mail_outbox: 'the e-mails this instance sent or kept (its mail log); the new instance writes its own',
  webhook_deliveries: "this instance's delivery attempts (to the subscriptions that stay behind)",
  webhook_subscriptions: 'hold signing secrets; the school subscribes again on the new instance',
}

/**
 * Sequence numbers are the instance's, not the school's: the imported logs (and the audit log) get new
 * ones, in the same order, and these columns of read models are translated from the old to the new.
 */
export const sequenceColumns: Partial<
  Record<CopiedTable, { log: 'lms_event' | 'lms_signal'; columns: string[] }>
> = {
  v_user_progress: { log: 'lms_event', columns: ['last_seq'] },
  mastery_question: { log: 'lms_signal', columns: ['last_seq'] },
  v_course_mastery: { log: 'lms_signal', columns: ['last_seq'] },
  v_skill_mastery: { log: 'lms_signal', columns: ['last_seq'] },
  gamification_xp_rebuild: { log: 'lms_signal', columns: ['target_seq', 'cursor_seq'] },
}

/** Tables whose own `seq` is given anew on import. */
export const renumberedTables: readonly CopiedTable[] = [
  'lms_event',
  'lms_signal',
  'integration_outbox',
  'audit_log',
]

/**
 * Columns of copied tables that reference accounts (users.id): those accounts travel with the school, so
 * that the references hold (the test checks this list against the schema's foreign keys).
 */
export const userReferences: Partial<Record<CopiedTable, string[]>> = {
  memberships: ['user_id'],
  lms_student: ['user_id'],
  lms_instructor: ['user_id'],
  lms_course: ['created_by'],
  invitations: ['invited_by', 'accepted_by'],
  privacy_departures: ['user_id'],
}

/** Columns of copied tables that name a file of the file store: the files travel too. */
export const fileColumns: Partial<Record<CopiedTable, string>> = {
  kms_resource: 'file_key',
  step_caption: 'file_key',
  message_attachments: 'file_key',
}

/** The account columns that travel: never sessions, and `is_superadmin` is the new platform's to give. */
export const userColumns = [
  'id',
  'name',
  'email',
  'email_verified',
  'image',
  'locale',
  'last_org_id',
  'created_at',
  'updated_at',
] as const

/** The password sign-in of an account (its scrypt hash), without any provider's access or refresh tokens. */
export const credentialColumns = [
  'id',
  'account_id',
  'provider_id',
  'user_id',
  'password',
  'created_at',
  'updated_at',
] as const

/** The school cannot be exported or imported as asked: the message says why, for the operator. */
export class SchoolTransferError extends Error {
  override name = 'SchoolTransferError'
}
