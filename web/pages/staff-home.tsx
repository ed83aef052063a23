import type { Me } from '../hooks/session.ts'
import { OverviewPage } from './admin/overview.tsx'
import { CoursesPage } from './teach/courses.tsx'

/** Staff land where their work is: instructors on their courses, the school's staff on its overview. */
export function StaffHomePage({ me }: { me: Me }) {
  return me.role === 'instructor' ? <CoursesPage /> : <OverviewPage />
}
