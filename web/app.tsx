import { Center, Loader } from '@mantine/core'
import { lazy, Suspense } from 'react'
import { useTranslation } from 'react-i18next'
import { Navigate, Route, Routes } from 'react-router'
import { Shell } from './components/shell.tsx'
import { isSchoolAdmin, isStaff, useMe } from './hooks/session.ts'
import { lazyPage } from './lazy-page.tsx'
import { NotFoundPage } from './pages/not-found.tsx'
import { SignInPage } from './pages/sign-in.tsx'

// Pages load with the first visit to them: a student never downloads the course builder or the charts of
// the admin overview.
// The invitation page too: it is met once, and its password advice would weigh on every first load.
const JoinPage = lazy(() => import('./pages/join.tsx').then((m) => ({ default: m.JoinPage })))
// The forgotten-password pages, met as rarely, share one file (password-reset.tsx).
const ForgotPasswordPage = lazy(() =>
  import('./pages/password-reset.tsx').then((m) => ({ default: m.ForgotPasswordPage })),
)
const ResetPasswordPage = lazy(() =>
  import('./pages/password-reset.tsx').then((m) => ({ default: m.ResetPasswordPage })),
)
// The pages a student opens first can be drawn with the app's first drawing (see lazy-page.tsx).
const DashboardPage = lazyPage('pages/dashboard.tsx', () =>
  import('./pages/dashboard.tsx').then((m) => m.DashboardPage),
)
const GamificationSettingsPage = lazy(() =>
  import('./pages/admin/gamification.tsx').then((m) => ({ default: m.GamificationSettingsPage })),
)
const SchoolSettingsPage = lazy(() =>
  import('./pages/admin/school.tsx').then((m) => ({ default: m.SchoolSettingsPage })),
)
const MembersPage = lazy(() => import('./pages/admin/members.tsx').then((m) => ({ default: m.MembersPage })))
const TeamsPage = lazy(() => import('./pages/admin/teams.tsx').then((m) => ({ default: m.TeamsPage })))
const AuditPage = lazy(() => import('./pages/admin/audit.tsx').then((m) => ({ default: m.AuditPage })))
const TokensPage = lazy(() => import('./pages/admin/tokens.tsx').then((m) => ({ default: m.TokensPage })))
const WebhooksPage = lazy(() =>
  import('./pages/admin/webhooks.tsx').then((m) => ({ default: m.WebhooksPage })),
)
const BadgesPage = lazy(() => import('./pages/badges.tsx').then((m) => ({ default: m.BadgesPage })))
const CoursePlayerPage = lazyPage('pages/course-player.tsx', () =>
  import('./pages/course-player.tsx').then((m) => m.CoursePlayerPage),
)
const LeaderboardPage = lazy(() =>
  import('./pages/leaderboard.tsx').then((m) => ({ default: m.LeaderboardPage })),
)
const LibraryPage = lazy(() => import('./pages/library.tsx').then((m) => ({ default: m.LibraryPage })))
const MessagesPage = lazy(() => import('./pages/messages.tsx').then((m) => ({ default: m.MessagesPage })))
const MessageReportsPage = lazy(() =>
  import('./pages/message-reports.tsx').then((m) => ({ default: m.MessageReportsPage })),
)
const ProfilePage = lazy(() => import('./pages/profile.tsx').then((m) => ({ default: m.ProfilePage })))
const NotificationPreferencesPage = lazy(() =>
  import('./pages/notification-preferences.tsx').then((m) => ({ default: m.NotificationPreferencesPage })),
)
const MailLogPage = lazy(() => import('./pages/admin/mail-log.tsx').then((m) => ({ default: m.MailLogPage })))
const StaffHomePage = lazy(() => import('./pages/staff-home.tsx').then((m) => ({ default: m.StaffHomePage })))
const CourseAnalyticsPage = lazy(() =>
  import('./pages/teach/course-analytics.tsx').then((m) => ({ default: m.CourseAnalyticsPage })),
)
const CourseStudentPage = lazy(() =>
  import('./pages/teach/course-student.tsx').then((m) => ({ default: m.CourseStudentPage })),
)
const CourseBuilderPage = lazy(() =>
  import('./pages/teach/course-builder.tsx').then((m) => ({ default: m.CourseBuilderPage })),
)
const CoursePreviewPage = lazy(() =>
  import('./pages/teach/course-preview.tsx').then((m) => ({ default: m.CoursePreviewPage })),
)
const CoursesPage = lazy(() => import('./pages/teach/courses.tsx').then((m) => ({ default: m.CoursesPage })))

/** While the session (when the page did not carry it) or the invitation page's code is on its way. */
function PageLoader() {
  const { t } = useTranslation()
  return (
    <Center mih="100vh">
      <Loader role="status" aria-label={t('common.loading')} />
    </Center>
  )
}

export function App() {
  const { t } = useTranslation()
  const me = useMe()
  if (me.isPending) return <PageLoader />
  const joinPage = (
    <Suspense fallback={<PageLoader />}>
      <JoinPage />
    </Suspense>
  )
  // Reachable signed in too: a reset link ends every session, this one included.
  const passwordPages = (
    <>
      <Route
        path="/forgot-password"
        element={
          <Suspense fallback={<PageLoader />}>
            <ForgotPasswordPage />
          </Suspense>
        }
      />
      <Route
        path="/reset-password"
        element={
          <Suspense fallback={<PageLoader />}>
            <ResetPasswordPage />
          </Suspense>
        }
      />
    </>
  )
  if (!me.data) {
    return (
      <Routes>
        <Route path="/signin" element={<SignInPage />} />
        <Route path="/join" element={joinPage} />
        {passwordPages}
        <Route path="*" element={<Navigate to="/signin" replace />} />
      </Routes>
    )
  }
  const { role, student_id } = me.data
  const teaches = role === 'owner' || role === 'admin' || role === 'instructor'
  return (
    <Routes>
      <Route path="/join" element={joinPage} />
      {passwordPages}
      <Route
        path="*"
        element={
          <Shell me={me.data}>
            <Suspense fallback={<Loader role="status" aria-label={t('common.loading')} m="xl" />}>
              <Routes>
                <Route path="/" element={student_id ? <DashboardPage /> : <StaffHomePage me={me.data} />} />
                <Route path="/signin" element={<Navigate to="/" replace />} />
                <Route path="/profile" element={<ProfilePage me={me.data} />} />
                {role && <Route path="/profile/notifications" element={<NotificationPreferencesPage />} />}
                {/* Before the conversations, and for every member: `reports` is never taken for a conversation id,
                    and those who may not moderate get the page not found. */}
                <Route
                  path="/messages/reports"
                  element={isSchoolAdmin(role) ? <MessageReportsPage /> : <NotFoundPage />}
                />
                {role && <Route path="/messages/:conversationId?" element={<MessagesPage />} />}
                {student_id && (
                  <>
                    <Route path="/courses/:courseId" element={<CoursePlayerPage />} />
                    <Route path="/leaderboard" element={<LeaderboardPage />} />
                    <Route path="/badges" element={<BadgesPage />} />
                    <Route path="/library" element={<LibraryPage />} />
                  </>
                )}
                {teaches && (
                  <>
                    <Route path="/teach/courses" element={<CoursesPage />} />
                    <Route path="/teach/courses/:courseId/:section?" element={<CourseBuilderPage />} />
                    <Route path="/teach/courses/:courseId/preview/:stepId?" element={<CoursePreviewPage />} />
                    <Route path="/teach/courses/:courseId/analytics" element={<CourseAnalyticsPage />} />
                    <Route
                      path="/teach/courses/:courseId/students/:studentId"
                      element={<CourseStudentPage />}
                    />
                  </>
                )}
                {(isSchoolAdmin(role) || role === 'support') && (
                  <Route path="/admin/members" element={<MembersPage me={me.data} />} />
                )}
                {isSchoolAdmin(role) && (
                  <>
                    <Route path="/admin/school" element={<SchoolSettingsPage />} />
                    <Route path="/admin/tokens" element={<TokensPage />} />
                    <Route path="/admin/webhooks" element={<WebhooksPage />} />
                    <Route path="/admin/gamification" element={<GamificationSettingsPage />} />
                    <Route path="/admin/mail-log" element={<MailLogPage />} />
                  </>
                )}
                {isStaff(role) && <Route path="/admin/teams" element={<TeamsPage me={me.data} />} />}
                {role === 'owner' && <Route path="/admin/audit" element={<AuditPage me={me.data} />} />}
                <Route path="*" element={<NotFoundPage />} />
              </Routes>
            </Suspense>
          </Shell>
        }
      />
    </Routes>
  )
}
