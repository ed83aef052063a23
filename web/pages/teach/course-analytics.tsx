import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Progress,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core'
import { IconDownload } from '@tabler/icons-react'
import { useQuery } from '@tanstack/react-query'
import type { TFunction } from 'i18next'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { api, data } from '../../api/client.ts'
import { BarChart } from '../../components/charts.tsx'
import { QueryState } from '../../components/query-state.tsx'
import { RiskReasons } from '../../components/risk.tsx'
import { Stat } from '../../components/stat.tsx'
import { useFormat } from '../../hooks/format.ts'
import { statusColor } from './courses.tsx'

export function duration(seconds: number | null, t: TFunction) {
  if (seconds === null) return '—'
  if (seconds < 90) return t('analytics.seconds', { count: Math.round(seconds) })
  if (seconds < 5400) return t('analytics.minutes', { count: Math.round(seconds / 60) })
  return t('analytics.hours', { count: Math.round(seconds / 3600) })
}

/** A table that scrolls sideways on a phone is a labelled region the keyboard can scroll. */
export const scrollable = (label: string) => ({
  viewportProps: { tabIndex: 0, role: 'region', 'aria-label': label },
})

export const studentStatusColor = {
  not_started: 'gray',
  in_progress: 'blue',
  abandoned: 'orange',
  completed: 'green',
} as const

/** A course's funnel step by step, and its students with where they are, their scores and risks. */
export function CourseAnalyticsPage() {
  const { t, i18n } = useTranslation()
  const f = useFormat()
  const { courseId = '' } = useParams()
  const query = useQuery({
    queryKey: ['course-analytics', courseId],
    queryFn: async () =>
      data(
        await api.GET('/api/courses/{id}/analytics', {
          params: { path: { id: courseId }, query: { limit: 500 } },
        }),
      ),
  })
  return (
    <QueryState query={query}>
      {(a) => (
        <Stack gap="lg">
          <div>
            <Anchor component={Link} to="/teach/courses" size="sm">
              ← {t('teach.courses')}
            </Anchor>
            <Group gap="sm" mt={4} justify="space-between">
              <Group gap="sm">
                <Title order={1} size="h2">
                  {a.course.name}
                </Title>
                <Badge color={statusColor[a.course.status]} variant="light">
                  {t(`course_status.${a.course.status}`)}
                </Badge>
              </Group>
              <Button
                component="a"
                href={`/api/courses/${encodeURIComponent(courseId)}/results.csv?lang=${i18n.language === 'en' ? 'en' : 'fr'}`}
                download
                variant="light"
                leftSection={<IconDownload size={18} aria-hidden />}
              >
                {t('reports.download_csv')}
              </Button>
            </Group>
          </div>
          <SimpleGrid cols={{ base: 2, sm: 4 }}>
            <Stat label={t('analytics.enrolled')} value={f.number(a.enrolled)} />
            <Stat label={t('analytics.completed')} value={f.number(a.completed)} testId="completed-count" />
            <Stat
              label={t('reports.abandoned_count')}
              value={f.number(a.abandoned)}
              testId="abandoned-count"
            />
            <Stat label={t('analytics.steps')} value={f.number(a.course.step_count)} />
          </SimpleGrid>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t('analytics.funnel')}
            </Title>
            {a.funnel.length === 0 ? (
              <Text c="dimmed">{t('analytics.no_steps')}</Text>
            ) : (
              <>
                <BarChart
                  h={260}
                  aria-label={t('reports.chart_label')}
                  data={a.funnel.map((s) => ({
                    step: `${s.index + 1}. ${s.name}`,
                    [t('analytics.reached')]: s.reached,
                    [t('analytics.completed_step')]: s.completed,
                    [t('reports.abandoned')]: s.abandoned,
                  }))}
                  dataKey="step"
                  withLegend
                  legendProps={{ verticalAlign: 'bottom' }}
                  // Student counts: whole numbers only on the axis.
                  yAxisProps={{ allowDecimals: false }}
                  series={[
                    { name: t('analytics.reached'), color: 'gray.5' },
                    { name: t('analytics.completed_step'), color: 'sillon.7' },
                    { name: t('reports.abandoned'), color: 'orange.6' },
                  ]}
                />
                <Text size="xs" c="dimmed" mt="xs" data-testid="abandon-rule">
                  {t('reports.abandon_rule', { count: a.abandoned_days })} {t('reports.time_rule')}
                </Text>
                <Table.ScrollContainer
                  minWidth={560}
                  mt="md"
                  scrollAreaProps={scrollable(t('analytics.funnel'))}
                >
                  <Table striped data-testid="funnel">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col">{t('analytics.step')}</Table.Th>
                        <Table.Th scope="col" ta="right">
                          {t('analytics.reached')}
                        </Table.Th>
                        <Table.Th scope="col" ta="right">
                          {t('analytics.completed_step')}
                        </Table.Th>
                        <Table.Th scope="col" ta="right">
                          {t('reports.in_progress')}
                        </Table.Th>
                        <Table.Th scope="col" ta="right">
                          {t('reports.abandoned')}
                        </Table.Th>
                        <Table.Th scope="col" ta="right">
                          {t('analytics.attempts')}
                        </Table.Th>
                        <Table.Th scope="col" ta="right">
                          {t('analytics.time')}
                        </Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {a.funnel.map((s) => (
                        <Table.Tr key={s.class_id}>
                          <Table.Td>
                            {s.index + 1}. {s.name}
                          </Table.Td>
                          <Table.Td ta="right">{f.number(s.reached)}</Table.Td>
                          <Table.Td ta="right">{f.number(s.completed)}</Table.Td>
                          <Table.Td ta="right">{f.number(s.in_progress)}</Table.Td>
                          <Table.Td ta="right">
                            {f.number(s.abandoned)} ({f.percent(s.abandoned_ratio)})
                          </Table.Td>
                          <Table.Td ta="right">
                            {s.average_quiz_attempts === null
                              ? '—'
                              : f.number(Math.round(s.average_quiz_attempts * 10) / 10)}
                          </Table.Td>
                          <Table.Td ta="right">{duration(s.average_time_sec, t)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </>
            )}
          </Card>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t('analytics.students', { count: a.students.total })}
            </Title>
            {a.students.entries.length === 0 ? (
              <Text c="dimmed">{t('analytics.no_students')}</Text>
            ) : (
              <Table.ScrollContainer
                minWidth={640}
                scrollAreaProps={scrollable(t('analytics.students', { count: a.students.total }))}
              >
                <Table striped data-testid="students">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('analytics.student')}</Table.Th>
                      <Table.Th scope="col">{t('analytics.position')}</Table.Th>
                      <Table.Th scope="col">{t('reports.time_spent')}</Table.Th>
                      <Table.Th scope="col">{t('analytics.scores')}</Table.Th>
                      <Table.Th scope="col">{t('analytics.last_seen')}</Table.Th>
                      <Table.Th scope="col">{t('analytics.risk')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {a.students.entries.map((s) => (
                      <Table.Tr key={s.student_id}>
                        <Table.Td>
                          <Stack gap={4} align="flex-start">
                            <Anchor
                              component={Link}
                              to={`/teach/courses/${courseId}/students/${s.student_id}`}
                              aria-label={t('reports.open_student', { name: s.name ?? s.student_id })}
                            >
                              {s.name ?? s.student_id}
                            </Anchor>
                            <Badge color={studentStatusColor[s.status]} variant="light" size="sm">
                              {t(`reports.status.${s.status}`)}
                            </Badge>
                          </Stack>
                        </Table.Td>
                        <Table.Td miw={160}>
                          <Stack gap={2}>
                            <Progress
                              value={s.progress_ratio * 100}
                              aria-label={t('analytics.progress_of', { name: s.name ?? '' })}
                            />
                            <Text size="xs">
                              {s.completed
                                ? t('analytics.done')
                                : s.current_step
                                  ? t('analytics.on_step', {
                                      index: s.current_step.index + 1,
                                      name: s.current_step.name,
                                    })
                                  : '—'}
                            </Text>
                          </Stack>
                        </Table.Td>
                        <Table.Td>{duration(s.time_spent_sec || null, t)}</Table.Td>
                        <Table.Td>
                          {s.quiz_scores.length === 0
                            ? '—'
                            : s.quiz_scores.map((q) => (
                                <Text key={q.class_id} size="xs">
                                  {t('analytics.quiz_score', {
                                    index: q.step_index + 1,
                                    percent: q.best_ratio === null ? '—' : f.percent(q.best_ratio),
                                    count: q.attempts,
                                  })}
                                </Text>
                              ))}
                        </Table.Td>
                        <Table.Td>
                          {s.last_event_at ? f.dateTime(s.last_event_at) : t('analytics.never')}
                        </Table.Td>
                        <Table.Td>
                          {s.at_risk.length === 0 ? '—' : <RiskReasons reasons={s.at_risk} />}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
          </Card>
        </Stack>
      )}
    </QueryState>
  )
}
