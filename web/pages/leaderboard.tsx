import { Group, Pagination, SegmentedControl, Select, Stack, Table, Text, Title } from '@mantine/core'
import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, data } from '../api/client.ts'
import { QueryState } from '../components/query-state.tsx'
import { useFormat } from '../hooks/format.ts'

const PAGE = 50

/** The school's or a team's ranking, all time or this week; the student's own row is always shown. */
export function LeaderboardPage() {
  const { t } = useTranslation()
  const f = useFormat()
  const [period, setPeriod] = useState<'all' | 'week'>('all')
  const [teamId, setTeamId] = useState<string | null>(null)
  const [page, setPage] = useState(1)
  const teams = useQuery({
    queryKey: ['my-teams'],
    queryFn: async () => data(await api.GET('/api/me/teams')),
  })
  const board = useQuery({
    queryKey: ['leaderboard', period, teamId, page],
    queryFn: async () =>
      data(
        await api.GET('/api/leaderboard', {
          params: { query: { period, teamId: teamId ?? undefined, limit: PAGE, offset: (page - 1) * PAGE } },
        }),
      ),
    placeholderData: keepPreviousData,
  })
  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        {t('leaderboard.title')}
      </Title>
      <Group gap="md" wrap="wrap">
        <SegmentedControl
          aria-label={t('leaderboard.period')}
          value={period}
          onChange={(v) => {
            setPeriod(v as 'all' | 'week')
            setPage(1)
          }}
          data={[
            { value: 'all', label: t('leaderboard.all_time') },
            { value: 'week', label: t('leaderboard.this_week') },
          ]}
        />
        <Select
          aria-label={t('leaderboard.scope')}
          data={[
            { value: '', label: t('leaderboard.school') },
            ...(teams.data ?? []).map((team) => ({ value: team.id, label: team.name })),
          ]}
          value={teamId ?? ''}
          onChange={(v) => {
            setTeamId(v || null)
            setPage(1)
          }}
          allowDeselect={false}
          w={220}
        />
      </Group>
      <QueryState query={board}>
        {(result) => (
          <Stack gap="sm">
            {result.me && (
              <Text data-testid="my-rank">
                {t('leaderboard.my_rank', {
                  count: result.me.rank,
                  ordinal: true,
                  points: f.number(result.me.total_points),
                })}
              </Text>
            )}
            {result.rows.length === 0 ? (
              <Text c="dimmed">{t('leaderboard.empty')}</Text>
            ) : (
              <Table.ScrollContainer minWidth={320}>
                <Table striped highlightOnHover>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('leaderboard.rank')}</Table.Th>
                      <Table.Th scope="col">{t('leaderboard.student')}</Table.Th>
                      <Table.Th scope="col" ta="right">
                        {t('leaderboard.points')}
                      </Table.Th>
                      <Table.Th scope="col" ta="right">
                        {t('leaderboard.badges')}
                      </Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {result.rows.map((row) => {
                      const mine = row.student_id === result.me?.student_id
                      return (
                        <Table.Tr
                          key={row.student_id}
                          fw={mine ? 700 : undefined}
                          aria-current={mine ? 'true' : undefined}
                        >
                          <Table.Td>{row.rank}</Table.Td>
                          <Table.Td>{row.name ?? t('leaderboard.anonymous')}</Table.Td>
                          <Table.Td ta="right">{f.number(row.total_points)}</Table.Td>
                          <Table.Td ta="right">{f.number(row.badges_count)}</Table.Td>
                        </Table.Tr>
                      )
                    })}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            {result.total > PAGE && (
              <Pagination
                total={Math.ceil(result.total / PAGE)}
                value={page}
                onChange={setPage}
                getControlProps={(control) => ({ 'aria-label': t(`common.page_${control}`) })}
              />
            )}
          </Stack>
        )}
      </QueryState>
    </Stack>
  )
}
