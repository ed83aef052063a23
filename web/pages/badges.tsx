import { Card, Group, Progress, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core'
import { IconAward } from '@tabler/icons-react'
import { useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api, data } from '../api/client.ts'
import { QueryState } from '../components/query-state.tsx'
import { useFormat } from '../hooks/format.ts'

function Icon({ icon, earned }: { icon: string | null; earned: boolean }) {
  return (
    <ThemeIcon
      size={48}
      radius="xl"
      variant={earned ? 'light' : 'default'}
      aria-hidden
      style={{ opacity: earned ? 1 : 0.6 }}
    >
      {icon ? <span style={{ fontSize: 24 }}>{icon}</span> : <IconAward size={26} />}
    </ThemeIcon>
  )
}

/** Badges earned, with when; and those still to earn, with how close the student is. */
export function BadgesPage() {
  const { t } = useTranslation()
  const f = useFormat()
  const query = useQuery({
    queryKey: ['my-badges'],
    queryFn: async () => data(await api.GET('/api/me/badges')),
  })
  return (
    <QueryState query={query}>
      {(badges) => (
        <Stack gap="lg">
          <Title order={1} size="h2">
            {t('badges.title')}
          </Title>
          <Title order={2} size="h3">
            {t('badges.earned', { count: badges.earned.length })}
          </Title>
          {badges.earned.length === 0 && <Text c="dimmed">{t('badges.none_yet')}</Text>}
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }} data-testid="earned-badges">
            {badges.earned.map((b) => (
              <Card key={b.badge_id} withBorder>
                <Group wrap="nowrap">
                  <Icon icon={b.icon} earned />
                  <div>
                    <Text fw={600}>{b.name}</Text>
                    {b.description && (
                      <Text size="sm" c="dimmed">
                        {b.description}
                      </Text>
                    )}
                    <Text size="xs" c="dimmed">
                      {t('badges.awarded', { date: f.date(b.awarded_at), points: b.points })}
                    </Text>
                  </div>
                </Group>
              </Card>
            ))}
          </SimpleGrid>
          <Title order={2} size="h3">
            {t('badges.to_earn')}
          </Title>
          <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
            {badges.not_earned.map((b) => (
              <Card key={b.badge_id} withBorder>
                <Group wrap="nowrap" align="flex-start">
                  <Icon icon={b.icon} earned={false} />
                  <Stack gap={4} style={{ flex: 1 }}>
                    <Text fw={600}>{b.name}</Text>
                    {b.description && (
                      <Text size="sm" c="dimmed">
                        {b.description}
                      </Text>
                    )}
                    {b.progress && (
                      <>
                        <Progress
                          value={(100 * Math.min(b.progress.current, b.progress.target)) / b.progress.target}
                          aria-label={t('badges.progress', {
                            current: b.progress.current,
                            target: b.progress.target,
                          })}
                        />
                        <Text size="xs" c="dimmed">
                          {t('badges.progress', { current: b.progress.current, target: b.progress.target })}
                        </Text>
                      </>
                    )}
                  </Stack>
                </Group>
              </Card>
            ))}
          </SimpleGrid>
        </Stack>
      )}
    </QueryState>
  )
}
