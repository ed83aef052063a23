import {
  Anchor,
  Badge,
  Card,
  Group,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  ThemeIcon,
  Timeline,
  Title,
} from '@mantine/core'
import { IconCheck, IconLock, IconPlayerPlay } from '@tabler/icons-react'
import { useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { api, data } from '../../api/client.ts'
import { QueryState } from '../../components/query-state.tsx'
import { RiskReasons } from '../../components/risk.tsx'
import { Stat } from '../../components/stat.tsx'
import { useFormat } from '../../hooks/format.ts'
import { duration, scrollable, studentStatusColor } from './course-analytics.tsx'

const stateIcon = {
  done: <IconCheck size={14} aria-hidden />,
  current: <IconPlayerPlay size={14} aria-hidden />,
  locked: <IconLock size={14} aria-hidden />,
}
const stateColor = { done: 'green', current: 'blue', locked: 'gray' } as const

/** One student in one course, for its teachers: path, quiz attempts, time, mastery and last activity. */
export function CourseStudentPage() {
  const { t } = useTranslation()
  const f = useFormat()
  const { courseId = '', studentId = '' } = useParams()
  const query = useQuery({
    queryKey: ['course-student', courseId, studentId],
    queryFn: async () =>
      data(
        await api.GET('/api/courses/{id}/students/{studentId}', {
          params: { path: { id: courseId, studentId } },
        }),
      ),
  })
  return (
    <QueryState query={query}>
      {(s) => {
        const current = s.steps.findIndex((step) => step.state === 'current')
        return (
          <Stack gap="lg">
            <div>
              <Anchor component={Link} to={`/teach/courses/${courseId}/analytics`} size="sm">
                ← {t('reports.back_to_course')} · {s.course.name}
              </Anchor>
              <Group gap="sm" mt={4}>
                <Title order={1} size="h2">
                  {s.student.name ?? s.student.id}
                </Title>
                <Badge color={studentStatusColor[s.status]} variant="light">
                  {t(`reports.status.${s.status}`)}
                </Badge>
              </Group>
              <Text size="sm" c="dimmed">
                {[s.student.email, t('reports.enrolled_on', { date: f.date(s.enrolled_at) })]
                  .filter(Boolean)
                  .join(' · ')}
              </Text>
              <Text size="sm" c="dimmed">
                {t('reports.teams_list', {
                  list:
                    s.teams.length === 0 ? t('reports.no_team') : s.teams.map((team) => team.name).join(', '),
                })}
              </Text>
            </div>
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <Stat label={t('reports.progress')} value={f.percent(s.progress_ratio)}>
                <Progress value={s.progress_ratio * 100} aria-hidden mt={4} />
              </Stat>
              <Stat label={t('reports.time_spent')} value={duration(s.time_spent_sec || null, t)} />
              <Stat
                label={t('reports.course_mastery')}
                value={s.mastery.course ? f.percent(s.mastery.course.score) : '—'}
              >
                {s.mastery.course && <Text size="xs">{t(`mastery.${s.mastery.course.level}`)}</Text>}
              </Stat>
              <Card withBorder>
                <Text size="sm" c="dimmed">
                  {t('reports.last_activity')}
                </Text>
                <Text fw={700} size="lg">
                  {s.last_event_at ? f.dateTime(s.last_event_at) : t('analytics.never')}
                </Text>
              </Card>
            </SimpleGrid>
            {s.at_risk.length > 0 && (
              <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                  {t('reports.at_risk')}
                </Title>
                <RiskReasons reasons={s.at_risk} />
              </Card>
            )}
            <Card withBorder>
              <Title order={2} size="h4" mb="md">
                {t('reports.path')}
              </Title>
              <Timeline active={current === -1 ? s.steps.length - 1 : current} bulletSize={26} lineWidth={2}>
                {s.steps.map((step) => (
                  <Timeline.Item
                    key={step.class_id}
                    bullet={
                      <ThemeIcon size={24} radius="xl" color={stateColor[step.state]}>
                        {stateIcon[step.state]}
                      </ThemeIcon>
                    }
                    title={
                      <Group gap="xs">
                        <Text fw={600}>
                          {step.index + 1}. {step.name}
                        </Text>
                        <Badge size="sm" variant="light" color={stateColor[step.state]}>
                          {t(`reports.state.${step.state}`)}
                        </Badge>
                      </Group>
                    }
                  >
                    <Text size="sm" c="dimmed">
                      {[
                        t(`step_types.${step.step_type as 'reading'}`),
                        step.opened_at && t('reports.opened_on', { date: f.dateTime(step.opened_at) }),
                        step.completed_at &&
                          t('reports.completed_on', { date: f.dateTime(step.completed_at) }),
                        step.time_sec !== null &&
                          t('reports.time_on_step', { time: duration(step.time_sec, t) }),
                        step.quiz &&
                          t('analytics.quiz_score', {
                            index: step.index + 1,
                            percent: step.quiz.best_ratio === null ? '—' : f.percent(step.quiz.best_ratio),
                            count: step.quiz.attempts,
                          }),
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
            </Card>
            <Card withBorder>
              <Title order={2} size="h4" mb="sm">
                {t('reports.attempts')}
              </Title>
              {s.attempts.length === 0 ? (
                <Text c="dimmed">{t('reports.no_attempts')}</Text>
              ) : (
                <Table.ScrollContainer minWidth={480} scrollAreaProps={scrollable(t('reports.attempts'))}>
                  <Table striped data-testid="attempts">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col">{t('reports.attempt_at')}</Table.Th>
                        <Table.Th scope="col">{t('reports.attempt_step')}</Table.Th>
                        <Table.Th scope="col" ta="right">
                          {t('reports.attempt_number')}
                        </Table.Th>
                        <Table.Th scope="col" ta="right">
                          {t('reports.score')}
                        </Table.Th>
                        <Table.Th scope="col">{t('reports.passed')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {s.attempts.map((a) => (
                        <Table.Tr key={`${a.class_id}-${a.attempt}`}>
                          <Table.Td>{f.dateTime(a.at)}</Table.Td>
                          <Table.Td>
                            {a.step_index + 1}. {s.steps[a.step_index]?.name}
                          </Table.Td>
                          <Table.Td ta="right">{f.number(a.attempt)}</Table.Td>
                          <Table.Td ta="right">
                            {f.number(a.score)} / {f.number(a.max_score)} ({f.percent(a.ratio)})
                          </Table.Td>
                          <Table.Td>
                            <Badge color={a.passed ? 'green' : 'red'} variant="light" size="sm">
                              {a.passed ? t('reports.passed') : t('reports.failed')}
                            </Badge>
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
            </Card>
            <Card withBorder>
              <Title order={2} size="h4" mb="sm">
                {t('reports.skills')}
              </Title>
              {s.mastery.skills.length === 0 ? (
                <Text c="dimmed">{t('reports.no_skills')}</Text>
              ) : (
                <Stack gap="xs">
                  {s.mastery.skills.map((skill) => (
                    <Group key={skill.skill} justify="space-between" wrap="nowrap">
                      <Text size="sm">{skill.skill}</Text>
                      <Group gap="xs" wrap="nowrap">
                        <Text size="sm">{f.percent(skill.score)}</Text>
                        <Badge variant="light" size="sm">
                          {t(`mastery.${skill.level}`)}
                        </Badge>
                      </Group>
                    </Group>
                  ))}
                </Stack>
              )}
            </Card>
          </Stack>
        )
      }}
    </QueryState>
  )
}
