import { Center, Loader } from '@mantine/core'
import { Navigate, Route, Routes } from 'react-router'
import { Shell } from './components/shell.tsx'
import { useMe } from './hooks/session.ts'
import { BadgesPage } from './pages/badges.tsx'
import { CoursePlayerPage } from './pages/course-player.tsx'
import { DashboardPage } from './pages/dashboard.tsx'
import { LeaderboardPage } from './pages/leaderboard.tsx'
import { LibraryPage } from './pages/library.tsx'
import { NotFoundPage } from './pages/not-found.tsx'
import { SignInPage } from './pages/sign-in.tsx'
import { StaffHomePage } from './pages/staff-home.tsx'

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
        <Route path="*" element={<Navigate to="/signin" replace />} />
      </Routes>
    )
  }
  const student = me.data.student_id !== null
  return (
    <Shell me={me.data}>
      <Routes>
        <Route path="/" element={student ? <DashboardPage /> : <StaffHomePage me={me.data} />} />
        <Route path="/signin" element={<Navigate to="/" replace />} />
        {student && (
          <>
            <Route path="/courses/:courseId" element={<CoursePlayerPage />} />
            <Route path="/leaderboard" element={<LeaderboardPage />} />
            <Route path="/badges" element={<BadgesPage />} />
            <Route path="/library" element={<LibraryPage />} />
          </>
        )}
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Shell>
  )
}
