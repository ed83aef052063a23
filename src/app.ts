import type { Context } from 'hono'
import type { Logger } from 'pino'
import packageJson from '../package.json' with { type: 'json' }
import type { Clock } from './core/clock.ts'
import type { Config } from './core/config.ts'
import type { DbHandle } from './core/db/database.ts'
import { optimizeStatisticsJob } from './core/db/optimize-statistics.ts'
import { catchUp, type Projector } from './core/events/projector.ts'
import type { FileStore } from './core/files/file-store.ts'
import { createHttpApp } from './core/http/app.ts'
import type { AppEnv } from './core/http/context.ts'
import { healthRoutes } from './core/http/health.ts'
import { publishOpenApi } from './core/http/openapi.ts'
import type { JobQueue } from './core/jobs/job.ts'
import { pruneJobRunsJob } from './core/jobs/prune-runs.ts'
import { createJobRegistry } from './core/jobs/registry.ts'
import { createInProcessPubSub } from './core/pubsub/in-process.ts'
import type { PubSub } from './core/pubsub/pubsub.ts'
import { auditPrivacy } from './modules/audit/index.ts'
import { auditRoutes } from './modules/audit/routes.ts'
import * as catalog from './modules/catalog/index.ts'
import { catalogRoutes } from './modules/catalog/routes.ts'
import * as gamification from './modules/gamification/index.ts'
import { gamificationRoutes } from './modules/gamification/routes.ts'
import * as identity from './modules/identity/index.ts'
import { identityRoutes } from './modules/identity/routes.ts'
import * as integrations from './modules/integrations/index.ts'
import { integrationRoutes } from './modules/integrations/routes.ts'
import * as mastery from './modules/mastery/index.ts'
import { masteryRoutes } from './modules/mastery/routes.ts'
import * as messaging from './modules/messaging/index.ts'
import { realtimeRoutes } from './modules/messaging/realtime/gateway.ts'
import { messagingRoutes } from './modules/messaging/routes.ts'
import * as notifications from './modules/notifications/index.ts'
import { notificationRoutes } from './modules/notifications/routes.ts'
import * as privacy from './modules/privacy/index.ts'
import { privacyRoutes } from './modules/privacy/routes.ts'
import * as progress from './modules/progress/index.ts'
import { progressRoutes } from './modules/progress/routes.ts'
import * as reporting from './modules/reporting/index.ts'
import { reportingRoutes } from './modules/reporting/routes.ts'
import type { SchoolArchivePort } from './modules/school-transfer/index.ts'
import { schoolTransferRoutes } from './modules/school-transfer/routes.ts'
import * as tracking from './modules/tracking/index.ts'
import { trackingRoutes } from './modules/tracking/routes.ts'
import { unifiedRoutes } from './modules/unified/routes.ts'

const version: string = packageJson.version

export type AppDeps = {
  database: DbHandle
  config: Config
  /** The session signing secret, resolved by the entry (generated and kept on disk in embedded mode). */
  secret: string
  clock: Clock
  logger: Logger
  clientIp: (c: Context<AppEnv>) => string | undefined
  /** Where uploaded files (handouts, captions, pictures) are kept. */
  files: FileStore
  /** Signs playback tokens of private Cloudflare Stream videos, when a signing key is configured. */
  streamSigner?: catalog.StreamSigner
  /** What each school's plan allows (billing); every school is unlimited when absent. */
  planLimits?: catalog.PlanLimitsPort
  /** Where students are in each course (progress). */
  progress?: catalog.ProgressPort
  /** How account passwords are hashed; default: scrypt. */
  passwordHasher?: identity.PasswordHasher
  /** Writes a school's archive for its owners' download (Node entries); without it the download is refused. */
  schoolArchive?: SchoolArchivePort
  /** Fans realtime events out to every node (Redis when REDIS_URL is set); default: in this process only. */
  pubsub?: PubSub
  /** Where e-mails leave; default: SMTP at SMTP_URL, or none (e-mails are kept in the mail log, not sent). */
  mailTransport?: notifications.MailTransport | null
}

/** Wires the modules into one HTTP app. Shared by the Node server, the CLI and the tests. */
export function buildApp(deps: AppDeps) {
  const { config, database } = deps
  const passwordHasher = deps.passwordHasher ?? identity.scryptPasswordHasher
  const auth = identity.createAuth(
    database.db,
    database.dialect,
    {
      secret: deps.secret,
      publicUrl: config.PUBLIC_URL,
      trustedOrigins: [new URL(config.PUBLIC_URL).origin, ...config.CORS_ORIGINS],
      sessionTtlDays: config.SESSION_TTL_DAYS,
      passwordHasher,
      // Called by requests only, once identityDeps (below) exists.
      onResetRequested: (userId, token) => identity.resetRequested(identityDeps, userId, token),
      onPasswordReset: (userId) => identity.queuePasswordChangedMail(identityDeps, userId),
    },
    deps.logger,
  )
  const identityDeps: identity.IdentityDeps = {
    db: database.db,
    clock: deps.clock,
    auth,
    passwordHasher,
    publicUrl: config.PUBLIC_URL,
    files: deps.files,
    uploadMaxBytes: config.UPLOAD_MAX_BYTES,
    onOrganisationCreated: gamification.giveDefaultBadges,
    onMemberRemoved: (db, orgId, userId) =>
      messaging.memberLeftSchool(db, orgId, userId, deps.clock.now().toISOString()),
    signInLimits: {
      failuresPerAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
      failuresPerAddress: config.LOGIN_FAILURES_PER_ADDRESS,
      windowMs: config.LOGIN_FAILURE_WINDOW_MINUTES * 60_000,
    },
    // Only called by requests, once catalogDeps (built below) exists.
    coursePeople: (orgId, table, of) => catalog.peopleOfCourse(catalogDeps, orgId, table, of),
    // Account e-mails go to the notifications outbox (built below) in the caller's transaction.
    queueMail: (db, mail) => notifications.queueMail({ ...notificationsDeps, db }, mail),
    classes: {
      byIds: (orgId, ids) => catalog.teamsByIds(catalogDeps, orgId, ids),
      byNames: (orgId, names) => catalog.teamsNamed(catalogDeps, orgId, names),
      create: (db, orgId, names) => catalog.createTeamsIn(catalogDeps, db, orgId, names),
      join: (db, orgId, classId, studentId) => catalog.joinTeamIn(catalogDeps, db, orgId, classId, studentId),
    },
    cfAccess:
      config.CF_ACCESS_TEAM_DOMAIN && config.CF_ACCESS_AUD
        ? identity.createCfAccessVerifier(
            { teamDomain: config.CF_ACCESS_TEAM_DOMAIN, audience: config.CF_ACCESS_AUD },
            deps.clock,
          )
        : null,
  }

  const progressDeps: progress.ProgressDeps = { db: database.db }
  // The entry makes the job runner from the registry built below, then attaches it: until then (and in
  // processes that run no jobs) requests cannot queue any.
  let jobQueue: JobQueue | null = null
  const queue: JobQueue = {
    enqueue: (name, payload, options) => {
      if (!jobQueue) throw new Error('no job runner in this process')
      return jobQueue.enqueue(name, payload, options)
    },
  }
  const gamificationDeps: gamification.GamificationDeps = {
    db: database.db,
    clock: deps.clock,
    identity: identityDeps,
    // Only called by requests, once catalogDeps (built below) exists.
    teamStudents: (orgId, teamId) => catalog.teamStudentIds(catalogDeps, orgId, teamId),
    jobs: queue,
    // In the awarding transaction (a reactor's): written through it, so that a replay notifies nobody twice.
    badgeAwarded: (db, orgId, award) =>
      notifications.notify({ ...notificationsDeps, db, identity: { ...identityDeps, db } }, orgId, {
        recipients: [award.userId],
        category: 'achievements',
        kind: 'badge.awarded',
        key: `badge:${award.awardId}`,
        params: { badge: award.badgeName },
        link: '/badges',
      }),
  }
  // Event projectors first: the reactors after them read the signals they append.
  const projectors: Projector[] = [
    progress.userProgressProjector,
    ...gamification.gamificationReactors(gamificationDeps),
    ...mastery.masteryReactors(),
  ]
  /** Brings every read model up to the event log; failures are recorded and retried, never thrown. */
  const project = async () => {
    const runs = await catchUp(database.db, tracking.trackingEvents, projectors, deps.clock)
    for (const { name, failed } of runs) {
      if (failed) deps.logger.error({ projector: name, ...failed }, 'projection failed')
    }
    return runs
  }

  const catalogDeps: catalog.CatalogDeps = {
    db: database.db,
    clock: deps.clock,
    identity: identityDeps,
    files: deps.files,
    streamSigner: deps.streamSigner ?? null,
    uploadMaxBytes: config.UPLOAD_MAX_BYTES,
    planLimits: deps.planLimits ?? catalog.unlimitedPlan,
    progress: deps.progress ?? progress.progressPort(progressDeps),
    courseAssigned: (orgId, course) =>
      notifyMembers(orgId, {
        recipients: course.userIds,
        category: 'courses',
        kind: 'course.assigned',
        key: `course.assigned:${course.id}`,
        params: { course: course.name },
        link: `/courses/${course.id}`,
      }),
  }
  const masteryDeps: mastery.MasteryDeps = {
    db: database.db,
    clock: deps.clock,
    catalog: catalogDeps,
    progress: progressDeps,
    identity: identityDeps,
  }

  const app = createHttpApp({
    logger: deps.logger,
    publicUrl: config.PUBLIC_URL,
    corsOrigins: config.CORS_ORIGINS,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    uploadLimitBytes: config.UPLOAD_MAX_BYTES,
    clientIp: deps.clientIp,
    authenticate: (c) => identity.authenticate(identityDeps, c),
  })
  app.route('/', healthRoutes(database.db, version))
  app.route('/', identityRoutes(identityDeps))
  app.route('/', catalogRoutes(catalogDeps))
  app.route('/', unifiedRoutes({ identity: identityDeps, catalog: catalogDeps }))
  const trackingDeps: tracking.TrackingDeps = {
    db: database.db,
    clock: deps.clock,
    identity: identityDeps,
    catalog: catalogDeps,
    progress: progress.progressPort(progressDeps),
    project: async () => {
      await project()
    },
    skipToleranceSec: config.VIDEO_SKIP_TOLERANCE_SEC,
    hearts: {
      check: async (orgId, studentId) => {
        const { enabled, hearts, max_hearts, next_heart_at } = await gamification.heartsOf(
          gamificationDeps,
          orgId,
          studentId,
        )
        return enabled ? { hearts, max_hearts, next_heart_at } : null
      },
      available: gamification.heartsForAttempt,
    },
  }
  app.route('/', trackingRoutes(trackingDeps))
  app.route('/', gamificationRoutes(gamificationDeps))
  app.route('/', masteryRoutes(masteryDeps))
  app.route(
    '/',
    progressRoutes({
      ...progressDeps,
      catalog: catalogDeps,
      identity: identityDeps,
      gamification: (orgId, studentId) =>
        gamification.learnerGamification(gamificationDeps, orgId, studentId),
      hearts: trackingDeps.hearts.check,
    }),
  )
  const integrationsDeps: integrations.IntegrationsDeps = {
    db: database.db,
    clock: deps.clock,
    allowedHosts: integrations.parseAllowedHosts(config.WEBHOOK_ALLOWED_HOSTS),
  }
  app.route('/', integrationRoutes(integrationsDeps))
  // Reporting reads gamification and mastery through ports, so it never reaches into their deps.
  const reportingDeps: reporting.ReportingDeps = {
    db: database.db,
    clock: deps.clock,
    progress: progressDeps,
    catalog: catalogDeps,
    identity: identityDeps,
    averageMastery: (orgId) => mastery.averageMasteryByCourse(masteryDeps, orgId),
    outOfHearts: (orgId) => gamification.studentsOutOfHearts(gamificationDeps, orgId),
    courseMastery: (orgId, courseId) => mastery.courseMasteryOfStudents(masteryDeps, orgId, courseId),
    dashboardGamification: (orgId, studentId, days) =>
      gamification.dashboardGamification(gamificationDeps, orgId, studentId, days),
    dashboardSkills: (orgId, studentId) => mastery.skillsSummary(masteryDeps, orgId, studentId),
    courseRewards: (orgId, studentId, courseId) =>
      gamification.courseRewards(gamificationDeps, orgId, studentId, courseId),
  }
  app.route('/', reportingRoutes(reportingDeps))
  // Live events for members' sockets (the WebSocket gateway), across nodes through the pub/sub.
  const realtime = messaging.createRealtime({
    db: database.db,
    clock: deps.clock,
    logger: deps.logger,
    pubsub:
      deps.pubsub ?? createInProcessPubSub((err) => deps.logger.error({ err }, 'pub/sub subscriber failed')),
  })
  // Flows notify members once their change has committed: a failure to notify is logged, never the caller's.
  // Only called by requests and jobs, once notificationsDeps (built below) exists.
  const notifyMembers = (orgId: string, input: notifications.NotifyInput) =>
    notifications
      .notify(notificationsDeps, orgId, input)
      .catch((err: unknown) => deps.logger.error({ err, kind: input.kind }, 'notification failed'))
  const messagingDeps: messaging.MessagingDeps = {
    db: database.db,
    clock: deps.clock,
    identity: identityDeps,
    catalog: catalogDeps,
    rateLimit: messaging.DEFAULT_MESSAGE_RATE_LIMIT,
    notify: notifyMembers,
    conversationRead: (orgId, userId, conversationId) =>
      notifications.markGroupRead(notificationsDeps, orgId, userId, conversationId),
    files: deps.files,
    uploadMaxBytes: config.UPLOAD_MAX_BYTES,
    realtime,
  }
  app.route('/', messagingRoutes(messagingDeps))
  app.route(
    '/',
    realtimeRoutes({
      db: database.db,
      clock: deps.clock,
      realtime,
      allowedOrigins: [new URL(config.PUBLIC_URL).origin, ...config.CORS_ORIGINS],
    }),
  )
  const notificationsDeps: notifications.NotificationsDeps = {
    db: database.db,
    clock: deps.clock,
    identity: identityDeps,
    mail: {
      transport:
        deps.mailTransport !== undefined
          ? deps.mailTransport
          : config.SMTP_URL
            ? notifications.smtpTransport(config.SMTP_URL)
            : null,
      from: config.MAIL_FROM,
      publicUrl: config.PUBLIC_URL,
    },
    messageEmailDelayMs: config.MESSAGE_EMAIL_DELAY_MINUTES * 60_000,
    realtime: {
      deliver: (orgId, userIds, event) => realtime.deliver(orgId, userIds, event),
      isOnline: (orgId, userId) => realtime.isOnline(orgId, userId),
    },
  }
  app.route('/', notificationRoutes(notificationsDeps))
  // GDPR access and erasure over every module that stores personal data: a new one adds its port here.
  // Identity comes first: its pseudonymous profiles must exist before the rows pointing at them move.
  const privacyDeps: privacy.PrivacyDeps = {
    db: database.db,
    clock: deps.clock,
    identity: identityDeps,
    files: deps.files,
    projectors,
    ports: [
      identity.identityPrivacy,
      catalog.catalogPrivacy,
      tracking.trackingPrivacy,
      progress.progressPrivacy,
      gamification.gamificationPrivacy,
      mastery.masteryPrivacy,
      integrations.integrationsPrivacy,
      auditPrivacy,
      messaging.messagingPrivacy,
      messaging.realtimePrivacy,
      notifications.notificationsPrivacy,
      privacy.privacyPrivacy,
    ],
  }
  app.route('/', privacyRoutes(privacyDeps))
  app.route('/', auditRoutes({ db: database.db, clock: deps.clock }))
  app.route(
    '/',
    schoolTransferRoutes({ db: database.db, clock: deps.clock, archive: deps.schoolArchive ?? null }),
  )
  publishOpenApi(app, version)
  /** Sends integration events to webhook subscribers; the server runs it in the background. */
  const dispatch = () => integrations.dispatchWebhooks(integrationsDeps)
  /** Scheduled and queued jobs that core and the modules contribute; the entry decides where they run. */
  const jobs = createJobRegistry(() => identity.listOrganisations(identityDeps))
  jobs.register(
    pruneJobRunsJob(database.db),
    ...gamification.gamificationJobs(gamificationDeps),
    tracking.pruneTallyRejectionsJob(database.db),
    privacy.retentionJob(privacyDeps),
    messaging.pruneRealtimeJob(database.db),
    notifications.sendMailJob(notificationsDeps),
    notifications.digestJob(notificationsDeps),
    notifications.atRiskJob(notificationsDeps, (orgId) => reporting.studentsAtRisk(reportingDeps, orgId)),
  )
  jobs.register(messaging.pruneUnsentUploadsJob(database.db, deps.files))
  if (database.dialect === 'sqlite') jobs.register(optimizeStatisticsJob(database.db))
  return {
    app,
    identity: identityDeps,
    catalog: catalogDeps,
    tracking: trackingDeps,
    gamification: gamificationDeps,
    mastery: masteryDeps,
    reporting: reportingDeps,
    messaging: messagingDeps,
    /** The node's sockets and live events: the entry closes it on shutdown. */
    realtime,
    notifications: notificationsDeps,
    privacy: privacyDeps,
    projectors,
    project,
    dispatch,
    jobs,
    /** Lets requests queue jobs on the runner the entry made from `jobs`. */
    attachJobQueue: (runner: JobQueue) => {
      jobQueue = runner
    },
  }
}

export type App = ReturnType<typeof buildApp>
