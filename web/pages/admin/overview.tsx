import { Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api, data } from '../../api/client.ts'
import { AreaChart, BarChart } from '../../components/charts.tsx'
import { QueryState } from '../../components/query-state.tsx'
import { RiskReasons } from '../../components/risk.tsx'
import { Stat } from '../../components/stat.tsx'
import { useFormat } from '../../hooks/format.ts'

/** The school at a glance: activity, completions, mastery per course, events per day, students at risk. */
export function OverviewPage() {
  const { t } = useTranslation()
  const f = useFormat()
  const query = useQuery({
    queryKey: ['admin-overview'],
    queryFn: async () => data(await api.GET('/api/admin/overview')),
  })
  return (
    <QueryState query={query}>
      {(o) => (
        <Stack gap="lg">
          <Title order={1} size="h2">
            {t('overview.title')}
          </Title>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 5 }}>
            <Stat label={t('overview.active_1')} value={f.number(o.active_students.last_1_day)} />
            <Stat
              label={t('overview.active_7')}
              value={f.number(o.active_students.last_7_days)}
              testId="active-7"
            />
            <Stat label={t('overview.active_30')} value={f.number(o.active_students.last_30_days)} />
            <Stat label={t('overview.enrolled')} value={f.number(o.enrolments.students)} />
            <Stat label={t('overview.completions_30')} value={f.number(o.completions.last_30_days)} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Card withBorder>
              <Title order={2} size="h4" mb="sm">
                {t('overview.events_per_day')}
              </Title>
              <AreaChart
                h={220}
                data={o.events_per_day.map((d) => ({ day: f.day(d.day), [t('overview.events')]: d.events }))}
                dataKey="day"
                series={[{ name: t('overview.events'), color: 'sillon.6' }]}
                curveType="monotone"
                withDots={false}
              />
            </Card>
            <Card withBorder>
              <Title order={2} size="h4" mb="sm">
                {t('overview.completions_by_course')}
              </Title>
              {o.enrolments.by_course.length === 0 ? (
                <Text c="dimmed">{t('overview.no_courses')}</Text>
              ) : (
                <BarChart
                  h={220}
                  data={o.enrolments.by_course.map((c) => ({
                    course: c.name,
                    [t('overview.enrolled_short')]: c.enrolled,
                    [t('overview.completed_short')]: c.completions,
                  }))}
                  dataKey="course"
                  series={[
                    { name: t('overview.enrolled_short'), color: 'gray.5' },
                    { name: t('overview.completed_short'), color: 'sillon.7' },
                  ]}
                />
              )}
            </Card>
          </SimpleGrid>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t('overview.mastery_by_course')}
            </Title>
            {o.average_mastery.length === 0 ? (
              <Text c="dimmed">{t('overview.no_mastery')}</Text>
            ) : (
              <Group gap="md">
                {o.average_mastery.map((m) => (
                  <Badge key={m.course_id} size="lg" variant="light" tt="none">
                    {m.name ?? m.course_id} · {f.percent(m.average_score)} (
                    {t('overview.students', { count: m.students })})
                  </Badge>
                ))}
              </Group>
            )}
          </Card>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              {t('overview.at_risk', { count: o.at_risk.total })}
            </Title>
            {o.at_risk.entries.length === 0 ? (
              <Text c="dimmed">{t('overview.nobody_at_risk')}</Text>
            ) : (
              <Table.ScrollContainer minWidth={480}>
                <Table striped data-testid="at-risk">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('overview.student')}</Table.Th>
                      <Table.Th scope="col">{t('overview.course')}</Table.Th>
                      <Table.Th scope="col">{t('overview.reasons')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {o.at_risk.entries.map((e) => (
                      <Table.Tr key={`${e.student_id}:${e.course_id}`}>
                        <Table.Td>{e.name ?? e.student_id}</Table.Td>
                        <Table.Td>{e.course_name}</Table.Td>
                        <Table.Td>
                          <RiskReasons reasons={e.reasons} />
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
