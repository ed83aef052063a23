import { Alert, Anchor, Badge, Group, Paper, Stack, Text, Title } from '@mantine/core'
import { IconArrowLeft } from '@tabler/icons-react'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { api, data, type Schemas } from '../../api/client.ts'
import { CourseDetails } from '../../components/builder/course-details.tsx'
import { EnrolmentSection } from '../../components/builder/enrolment.tsx'
import { courseKey } from '../../components/builder/keys.ts'
import { HandoutSection } from '../../components/builder/kms-editor.tsx'
import { type Problem, ProblemsAlert, PublishActions } from '../../components/builder/publish.tsx'
import { StepsSection } from '../../components/builder/step-list.tsx'
import { QueryState } from '../../components/query-state.tsx'
import { useFormat } from '../../hooks/format.ts'
import { statusColor } from './courses.tsx'

type Course = Schemas['Course']

function Builder({ course }: { course: Course }) {
  const { t } = useTranslation()
  const f = useFormat()
  // Problems found at the last attempt to publish; any change to the course makes them stale.
  const [failed, setFailed] = useState<{ at: string; problems: Problem[] } | null>(null)
  const problems = failed?.at === course.updated_at ? failed.problems : []
  const problemSteps = new Set(problems.flatMap((p) => (p.class_id ? [p.class_id] : [])))
  return (
    <Stack gap="lg">
      <Anchor component={Link} to="/teach/courses" size="sm">
        <Group gap={4} component="span">
          <IconArrowLeft size={16} aria-hidden />
          {t('builder.back')}
        </Group>
      </Anchor>
      <Group justify="space-between" align="flex-start" gap="sm">
        <Stack gap={6} style={{ minWidth: 0, flex: '1 1 16rem' }}>
          <Title order={1} size="h2" style={{ overflowWrap: 'anywhere' }}>
            {course.name}
          </Title>
          <Group gap="xs">
            <Badge color={statusColor[course.status]} variant="light" data-testid="course-status">
              {t(`course_status.${course.status}`)}
            </Badge>
            {course.published_at && (
              <Text size="sm" c="dimmed">
                {t('builder.published_on', { date: f.date(course.published_at) })}
              </Text>
            )}
          </Group>
        </Stack>
        <PublishActions
          course={course}
          onProblems={(list) => setFailed({ at: course.updated_at, problems: list })}
        />
      </Group>
      {problems.length > 0 && <ProblemsAlert courseId={course.id} problems={problems} />}
      {course.status === 'archived' && <Alert color="gray">{t('builder.archived_notice')}</Alert>}
      {course.status === 'published' && <Alert color="sillon">{t('builder.published_notice')}</Alert>}
      <Paper withBorder p="md" component="section">
        <CourseDetails course={course} />
      </Paper>
      <Paper withBorder p="md" component="section">
        <StepsSection course={course} problems={problemSteps} />
      </Paper>
      <Paper withBorder p="md" component="section">
        <HandoutSection course={course} />
      </Paper>
      <Paper withBorder p="md" component="section">
        <EnrolmentSection course={course} />
      </Paper>
    </Stack>
  )
}

/** Where an instructor builds a course: its details, its steps in order, its handout, who takes it. */
export function CourseBuilderPage() {
  const { courseId = '' } = useParams()
  const query = useQuery({
    queryKey: courseKey(courseId),
    queryFn: async () => data(await api.GET('/api/lms/courses/{id}', { params: { path: { id: courseId } } })),
  })
  return <QueryState query={query}>{(course) => <Builder course={course} />}</QueryState>
}
