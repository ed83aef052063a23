import { Card, Group, Progress, SimpleGrid, Stack, Text, ThemeIcon, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api, data } from '../api/client.ts'
import { BadgeIcon, useBadgeText } from '../components/game.tsx'
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
      <BadgeIcon icon={icon} size={26} />
    </ThemeIcon>
  )
}

function BadgeText({ name, description }: { name: string; description: string | null }) {
  return (
    <>
      <Text fw={600}>{name}</Text>
      {description && (
        <Text size="sm" c="dimmed">
          {description}
        </Text>
      )}
    </>
  )
}

/** Badges earned, with when; and those still to earn, with how close the student is. */
export function BadgesPage() {
  const { t } = useTranslation()
  const f = useFormat()
  const text = useBadgeText()
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
                    <BadgeText {...text(b)} />
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
                    <BadgeText {...text(b)} />
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
