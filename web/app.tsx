import { Center, Loader } from '@mantine/core'
import { Navigate, Route, Routes } from 'react-router'
import { Shell } from './components/shell.tsx'
import { isSchoolAdmin, isStaff, useMe } from './hooks/session.ts'
import { GamificationSettingsPage } from './pages/admin/gamification.tsx'
import { MembersPage } from './pages/admin/members.tsx'
import { TeamsPage } from './pages/admin/teams.tsx'
import { TokensPage } from './pages/admin/tokens.tsx'
import { WebhooksPage } from './pages/admin/webhooks.tsx'
import { BadgesPage } from './pages/badges.tsx'
import { CoursePlayerPage } from './pages/course-player.tsx'
import { DashboardPage } from './pages/dashboard.tsx'
import { JoinPage } from './pages/join.tsx'
import { LeaderboardPage } from './pages/leaderboard.tsx'
import { LibraryPage } from './pages/library.tsx'
import { NotFoundPage } from './pages/not-found.tsx'
import { SignInPage } from './pages/sign-in.tsx'
import { StaffHomePage } from './pages/staff-home.tsx'
import { CourseAnalyticsPage } from './pages/teach/course-analytics.tsx'
import { CourseBuilderPage } from './pages/teach/course-builder.tsx'
import { CoursesPage } from './pages/teach/courses.tsx'

export function App() {
  const me = useMe()
  if (me.isPending) {
    return (
      <Center mih="100vh">
        <Loader />
      </Center>
    )
  }
  if (!me.data) {
    return (
      <Routes>
        <Route path="/signin" element={<SignInPage />} />
        <Route path="/join" element={<JoinPage />} />
        <Route path="*" element={<Navigate to="/signin" replace />} />
      </Routes>
    )
  }
  const { role, student_id } = me.data
  const teaches = role === 'owner' || role === 'admin' || role === 'instructor'
  return (
    <Routes>
      <Route path="/join" element={<JoinPage />} />
      <Route
        path="*"
        element={
          <Shell me={me.data}>
            <Routes>
              <Route path="/" element={student_id ? <DashboardPage /> : <StaffHomePage me={me.data} />} />
              <Route path="/signin" element={<Navigate to="/" replace />} />
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
                  <Route path="/teach/courses/:courseId" element={<CourseBuilderPage />} />
                  <Route path="/teach/courses/:courseId/analytics" element={<CourseAnalyticsPage />} />
                </>
              )}
              {(isSchoolAdmin(role) || role === 'support') && (
                <Route path="/admin/members" element={<MembersPage me={me.data} />} />
              )}
              {isSchoolAdmin(role) && (
                <>
                  <Route path="/admin/tokens" element={<TokensPage />} />
                  <Route path="/admin/webhooks" element={<WebhooksPage />} />
                  <Route path="/admin/gamification" element={<GamificationSettingsPage />} />
                </>
              )}
              {isStaff(role) && <Route path="/admin/teams" element={<TeamsPage me={me.data} />} />}
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Shell>
        }
      />
    </Routes>
  )
}
