import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  List,
  Paper,
  Stack,
  Tabs,
  Text,
  ThemeIcon,
  Title,
} from '@mantine/core'
import {
  IconAlertTriangle,
  IconArrowLeft,
  IconCheck,
  IconEye,
  IconFileText,
  IconInfoCircle,
  IconListNumbers,
  IconRocket,
  IconUsers,
} from '@tabler/icons-react'
import { useQuery } from '@tanstack/react-query'
import { type ReactNode, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, Navigate, useNavigate, useParams } from 'react-router'
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

/** The parts of the builder, each at its own address (/teach/courses/:id/:section) so that links reach it. */
const sections = ['details', 'steps', 'handout', 'enrolment', 'publish'] as const
type Section = (typeof sections)[number]
const isSection = (value: string | undefined): value is Section => sections.includes(value as Section)

const sectionIcons: Record<Section, ReactNode> = {
  details: <IconInfoCircle size={16} aria-hidden />,
  steps: <IconListNumbers size={16} aria-hidden />,
  handout: <IconFileText size={16} aria-hidden />,
  enrolment: <IconUsers size={16} aria-hidden />,
  publish: <IconRocket size={16} aria-hidden />,
}

function ChecklistItem({ ok, children }: { ok: boolean; children: ReactNode }) {
  return (
    <List.Item
      icon={
        <ThemeIcon size={22} radius="xl" variant="light" color={ok ? 'sillon' : 'orange'}>
          {ok ? <IconCheck size={14} aria-hidden /> : <IconAlertTriangle size={14} aria-hidden />}
        </ThemeIcon>
      }
    >
      {children}
    </List.Item>
  )
}

/** Where the course stands before and after publishing: what it holds, who will see it, the actions. */
function PublishSection({
  course,
  problems,
  onProblems,
}: {
  course: Course
  problems: Problem[]
  onProblems: (problems: Problem[]) => void
}) {
  const { t } = useTranslation()
  const students = course.student_ids.length
  return (
    <Stack gap="md">
      <Title order={2} size="h3">
        {t('builder.publish.title')}
      </Title>
      {course.status !== 'archived' && (
        <Text>
          {t(course.status === 'draft' ? 'builder.publish.status_draft' : 'builder.publish.status_published')}
        </Text>
      )}
      <List spacing="xs" center data-testid="publish-checklist">
        <ChecklistItem ok={course.step_count > 0}>
          {course.step_count > 0
            ? t('builder.publish.steps_ready', { count: course.step_count })
            : t('builder.publish.no_steps')}
        </ChecklistItem>
        <ChecklistItem ok={students > 0}>
          {students > 0
            ? t('builder.publish.students', { count: students })
            : t('builder.publish.no_students')}
        </ChecklistItem>
      </List>
      {problems.length > 0 && <ProblemsAlert courseId={course.id} problems={problems} />}
      <PublishActions course={course} onProblems={onProblems} />
    </Stack>
  )
}

function Builder({ course, section }: { course: Course; section: Section }) {
  const { t } = useTranslation()
  const f = useFormat()
  const navigate = useNavigate()
  // Problems found at the last attempt to publish; any change to the course makes them stale.
  const [failed, setFailed] = useState<{ at: string; problems: Problem[] } | null>(null)
  const problems = failed?.at === course.updated_at ? failed.problems : []
  const problemSteps = new Set(problems.flatMap((p) => (p.class_id ? [p.class_id] : [])))
  const counts: Partial<Record<Section, ReactNode>> = {
    steps: (
      <Badge size="sm" variant="light" color={problemSteps.size > 0 ? 'orange' : 'gray'} circle>
        {course.step_count}
      </Badge>
    ),
    enrolment: (
      <Badge size="sm" variant="light" color="gray" circle>
        {course.student_ids.length}
      </Badge>
    ),
  }
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
        <Button
          component={Link}
          to={`/teach/courses/${course.id}/preview`}
          variant="default"
          leftSection={<IconEye size={16} aria-hidden />}
        >
          {t('builder.preview.open')}
        </Button>
      </Group>
      {course.status === 'archived' && <Alert color="gray">{t('builder.archived_notice')}</Alert>}
      {course.status === 'published' && <Alert color="sillon">{t('builder.published_notice')}</Alert>}
      <Tabs
        value={section}
        onChange={(value) => value && navigate(`/teach/courses/${course.id}/${value}`)}
        keepMounted
      >
        <Tabs.List aria-label={t('builder.sections.label')}>
          {sections.map((value) => (
            <Tabs.Tab
              key={value}
              value={value}
              leftSection={sectionIcons[value]}
              rightSection={counts[value]}
            >
              {t(`builder.sections.${value}`)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        <Paper withBorder p="md" mt="md" component="section">
          <Tabs.Panel value="details">
            <CourseDetails course={course} />
          </Tabs.Panel>
          <Tabs.Panel value="steps">
            <StepsSection course={course} problems={problemSteps} />
          </Tabs.Panel>
          <Tabs.Panel value="handout">
            <HandoutSection course={course} />
          </Tabs.Panel>
          <Tabs.Panel value="enrolment">
            <EnrolmentSection course={course} />
          </Tabs.Panel>
          <Tabs.Panel value="publish">
            <PublishSection
              course={course}
              problems={problems}
              onProblems={(list) => setFailed({ at: course.updated_at, problems: list })}
            />
          </Tabs.Panel>
        </Paper>
      </Tabs>
    </Stack>
  )
}

/**
 * Where an instructor builds a course, in parts: its details, its steps in order, its handout, who takes it,
 * and its publishing. The course's own address opens its steps.
 */
export function CourseBuilderPage() {
  const { courseId = '', section } = useParams()
  const query = useQuery({
    queryKey: courseKey(courseId),
    queryFn: async () => data(await api.GET('/api/lms/courses/{id}', { params: { path: { id: courseId } } })),
  })
  if (section !== undefined && !isSection(section))
    return <Navigate to={`/teach/courses/${courseId}`} replace />
  return (
    <QueryState query={query}>
      {(course) => <Builder course={course} section={section ?? 'steps'} />}
    </QueryState>
  )
}
