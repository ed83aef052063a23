import { Badge, Group, Progress, Stack, Text, ThemeIcon, Tooltip, VisuallyHidden } from '@mantine/core'
import { IconAward, IconHeartFilled, IconHeartOff, IconSnowflake } from '@tabler/icons-react'
import { useTranslation } from 'react-i18next'
import type { Schemas } from '../api/client.ts'
import { useFormat } from '../hooks/format.ts'

type Dashboard = Schemas['StudentDashboard']

/** Level and XP, with how far the next level is. */
export function LevelMeter({ xp }: { xp: Dashboard['xp'] }) {
  const { t } = useTranslation()
  const f = useFormat()
  const { level, level_start_xp, next_level_xp } = xp.level
  const span = next_level_xp - level_start_xp
  const ratio = span > 0 ? (xp.total - level_start_xp) / span : 1
  return (
    <Stack gap={6}>
      <Group justify="space-between" align="baseline">
        <Text fw={700} size="xl" data-testid="level">
          {t('game.level', { level })}
        </Text>
        <Text size="sm" c="dimmed" data-testid="xp-total">
          {t('game.xp', { xp: f.number(xp.total) })}
        </Text>
      </Group>
      <Progress
        value={Math.min(100, Math.max(0, ratio * 100))}
        aria-label={t('game.to_next_level', { xp: f.number(next_level_xp - xp.total) })}
      />
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {t('game.to_next_level', { xp: f.number(Math.max(0, next_level_xp - xp.total)) })}
        </Text>
        <Text size="xs" c="dimmed">
          {t('game.this_week', { xp: f.number(xp.this_week) })}
        </Text>
      </Group>
    </Stack>
  )
}

/** Hearts left out of the maximum, and when the next one comes back. */
export function HeartsMeter({
  hearts,
}: {
  hearts: Pick<Dashboard['hearts'], 'enabled' | 'hearts' | 'max_hearts' | 'next_heart_at'>
}) {
  const { t } = useTranslation()
  const f = useFormat()
  if (!hearts.enabled) return <Text c="dimmed">{t('game.hearts_off')}</Text>
  return (
    <Stack gap={6}>
      <Group
        gap={4}
        role="img"
        aria-label={t('game.hearts_left', { count: hearts.hearts, max: hearts.max_hearts })}
      >
        {Array.from({ length: hearts.max_hearts }, (_, i) =>
          i < hearts.hearts ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: hearts are interchangeable
            <IconHeartFilled key={i} size={24} color="var(--mantine-color-red-7)" aria-hidden />
          ) : (
            // biome-ignore lint/suspicious/noArrayIndexKey: hearts are interchangeable
            <IconHeartOff key={i} size={24} color="var(--mantine-color-gray-6)" aria-hidden />
          ),
        )}
      </Group>
      <Text size="sm" c="dimmed" data-testid="hearts">
        {hearts.next_heart_at
          ? t('game.next_heart', { time: f.time(hearts.next_heart_at) })
          : t('game.hearts_full', { count: hearts.hearts })}
      </Text>
    </Stack>
  )
}

const CALENDAR_COLORS = {
  active: 'var(--mantine-color-sillon-7)',
  frozen: 'var(--mantine-color-blue-5)',
  none: 'var(--mantine-color-gray-2)',
}

/** The streak's days as a grid of weeks: active, frozen (a freeze kept the streak) or nothing. */
export function StreakCalendar({ streak }: { streak: Dashboard['streak'] }) {
  const { t } = useTranslation()
  const f = useFormat()
  const known = new Map(streak.calendar.days.map((d) => [d.day, d]))
  const days: string[] = []
  for (let day = streak.calendar.from; day <= streak.calendar.to; ) {
    days.push(day)
    const next = new Date(`${day}T12:00:00Z`)
    next.setUTCDate(next.getUTCDate() + 1)
    day = next.toISOString().slice(0, 10)
  }
  return (
    <Stack gap="xs">
      <Group gap="md" align="baseline">
        <Text fw={700} size="xl" data-testid="streak">
          {t('game.streak_days', { count: streak.current })}
        </Text>
        <Text size="sm" c="dimmed">
          {t('game.longest', { count: streak.longest })}
        </Text>
      </Group>
      <Group gap={4}>
        {Array.from({ length: 2 }, (_, i) => (
          <ThemeIcon
            // biome-ignore lint/suspicious/noArrayIndexKey: freeze slots are interchangeable
            key={i}
            size="sm"
            variant={i < streak.freezes_held ? 'filled' : 'light'}
            color={i < streak.freezes_held ? 'blue' : 'gray'}
            aria-hidden
          >
            <IconSnowflake size={14} />
          </ThemeIcon>
        ))}
        <Text size="xs" c="dimmed">
          {t('game.freezes', { count: streak.freezes_held })}
        </Text>
      </Group>
      <ol
        aria-label={t('game.calendar')}
        style={{
          display: 'grid',
          gridTemplateColumns: 'repeat(7, 1fr)',
          gap: 4,
          maxWidth: 224,
          margin: 0,
          padding: 0,
          listStyle: 'none',
        }}
      >
        {days.map((day) => {
          const d = known.get(day)
          const state = d?.active ? 'active' : d?.frozen ? 'frozen' : 'none'
          const label = `${f.day(day)} : ${t(`game.day_${state}`)}`
          return (
            <Tooltip key={day} label={label}>
              <li
                data-state={state}
                style={{ aspectRatio: '1', borderRadius: 4, background: CALENDAR_COLORS[state] }}
              >
                <VisuallyHidden>{label}</VisuallyHidden>
              </li>
            </Tooltip>
          )
        })}
      </ol>
      {streak.at_risk_today && (
        <Badge color="orange" variant="light">
          {t('game.at_risk_today')}
        </Badge>
      )}
    </Stack>
  )
}

/** A badge as students see it: icon (emoji or an award), name, when it was earned. */
export function BadgeChip({
  name,
  icon,
  awardedAt,
}: {
  name: string
  icon: string | null
  awardedAt?: string | null
}) {
  const f = useFormat()
  return (
    <Group gap="xs" wrap="nowrap">
      <ThemeIcon variant="light" size="lg" radius="xl" aria-hidden>
        {icon && !/^https?:/.test(icon) ? <span>{icon}</span> : <IconAward size={18} />}
      </ThemeIcon>
      <div>
        <Text size="sm" fw={500}>
          {name}
        </Text>
        {awardedAt && (
          <Text size="xs" c="dimmed">
            {f.date(awardedAt)}
          </Text>
        )}
      </div>
    </Group>
  )
}
