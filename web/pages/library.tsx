import { Card, Stack, Text, Title } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import { Handout } from '../components/handout.tsx'
import { QueryState } from '../components/query-state.tsx'
import { useDashboard } from '../hooks/dashboard.ts'
import { useStudentCourse } from './course-player.tsx'

function CourseHandout({ courseId, name }: { courseId: string; name: string }) {
  const query = useStudentCourse(courseId)
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="sm">
        {name}
      </Title>
      <QueryState query={query}>{(course) => <Handout kms={course.kms} />}</QueryState>
    </Card>
  )
}

/** The knowledge base: the handouts of the courses the student completed, unlocked for good. */
export function LibraryPage() {
  const { t } = useTranslation()
  const query = useDashboard()
  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        {t('library.title')}
      </Title>
      <QueryState query={query}>
        {(dashboard) => {
          const completed = dashboard.courses.filter((c) => c.completed)
          if (completed.length === 0) return <Text c="dimmed">{t('library.empty')}</Text>
          return (
            <Stack gap="md">
              {completed.map((c) => (
                <CourseHandout key={c.course_id} courseId={c.course_id} name={c.name} />
              ))}
            </Stack>
          )
        }}
      </QueryState>
    </Stack>
  )
}
