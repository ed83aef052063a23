import { Badge, Group, Progress, Stack, Text, ThemeIcon, Tooltip, VisuallyHidden } from '@mantine/core'
import {
  IconAward,
  IconBolt,
  IconBook,
  IconBrain,
  IconBulb,
  IconCalendar,
  IconCircleCheck,
  IconClock,
  IconCrown,
  IconDeviceTv,
  IconFlame,
  IconHeart,
  IconHeartFilled,
  IconHeartOff,
  IconMedal,
  IconMoon,
  IconMovie,
  IconPlayerPlay,
  IconPuzzle,
  IconRocket,
  IconSchool,
  IconSnowflake,
  IconSparkles,
  IconStar,
  IconTarget,
  IconTrophy,
  type TablerIcon,
} from '@tabler/icons-react'
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

const TABLE_STYLE = { borderCollapse: 'separate', borderSpacing: 3, margin: 0 } as const
const MONTH_STYLE = {
  fontSize: 'var(--mantine-font-size-xs)',
  fontWeight: 400,
  color: 'var(--mantine-color-dimmed)',
  textAlign: 'left',
  whiteSpace: 'nowrap',
  padding: 0,
} as const
const WEEKDAY_STYLE = { ...MONTH_STYLE, paddingRight: 4, lineHeight: 1 } as const
const DAY_STYLE = { width: 18, height: 18, borderRadius: 4 } as const

const nextDay = (day: string) => {
  const next = new Date(`${day}T12:00:00Z`)
  next.setUTCDate(next.getUTCDate() + 1)
  return next.toISOString().slice(0, 10)
}
/** 0 for Monday … 6 for Sunday: weeks start on Monday, as the school's weeks do. */
const weekdayOf = (day: string) => (new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7

/**
 * The calendar's days in weeks of Monday to Sunday (a column each, like GitHub's contribution graph), with
 * the month each week starts, and blanks before the first day and after today.
 */
function calendarWeeks(from: string, to: string) {
  const weeks: (string | null)[][] = []
  let week: (string | null)[] = Array.from({ length: weekdayOf(from) }, () => null)
  for (let day = from; day <= to; day = nextDay(day)) {
    week.push(day)
    if (week.length === 7) {
      weeks.push(week)
      week = []
    }
  }
  if (week.length > 0) weeks.push([...week, ...Array.from({ length: 7 - week.length }, () => null)])
  return weeks
}

/** The streak's days as a grid of weeks (active, frozen by a freeze, or nothing), with weekdays and months. */
export function StreakCalendar({ streak }: { streak: Dashboard['streak'] }) {
  const { t } = useTranslation()
  const f = useFormat()
  const known = new Map(streak.calendar.days.map((d) => [d.day, d]))
  const weeks = calendarWeeks(streak.calendar.from, streak.calendar.to)
  const utc = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(f.locale, { ...options, timeZone: 'UTC' })
  const weekdayShort = utc({ weekday: 'narrow' })
  const weekdayLong = utc({ weekday: 'long' })
  const month = utc({ month: 'short' })
  const dayLong = utc({ weekday: 'long', day: 'numeric', month: 'long' })
  const at = (day: string) => new Date(`${day}T12:00:00Z`)
  // A week is labelled with its month when that month starts in it, or for the first week shown.
  const monthLabels = weeks.map((week, i) => {
    const first = week.find((d) => d !== null && (i === 0 || d.endsWith('-01')))
    return first ? month.format(at(first)) : null
  })
  const monday = weeks[0]?.find((d) => d !== null) ?? streak.calendar.from
  const weekdays = Array.from({ length: 7 }, (_, i) => {
    const d = new Date(`${monday}T12:00:00Z`)
    d.setUTCDate(d.getUTCDate() + i - weekdayOf(monday))
    return d
  })
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
      <Group gap={6} wrap="nowrap" data-testid="freezes">
        <IconSnowflake
          size={18}
          aria-hidden
          color={streak.freezes_held > 0 ? 'var(--mantine-color-blue-6)' : 'var(--mantine-color-gray-6)'}
        />
        <Text size="xs" c="dimmed">
          {t('game.freezes', { count: streak.freezes_held })}
        </Text>
      </Group>
      <table style={TABLE_STYLE} data-testid="streak-calendar">
        <caption>
          <VisuallyHidden>{t('game.calendar')}</VisuallyHidden>
        </caption>
        <thead>
          <tr>
            <td />
            {monthLabels.map((label, i) =>
              label ? (
                // biome-ignore lint/suspicious/noArrayIndexKey: a column per week, in order
                <th key={i} scope="col" style={MONTH_STYLE}>
                  {label}
                </th>
              ) : (
                // biome-ignore lint/suspicious/noArrayIndexKey: a column per week, in order
                <td key={i} />
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {weekdays.map((weekday, row) => (
            <tr key={weekday.toISOString()}>
              <th scope="row" style={WEEKDAY_STYLE}>
                <abbr title={weekdayLong.format(weekday)}>{weekdayShort.format(weekday)}</abbr>
              </th>
              {weeks.map((week, column) => {
                const day = week[row]
                // biome-ignore lint/suspicious/noArrayIndexKey: blanks before the first day and after today
                if (!day) return <td key={column} />
                const d = known.get(day)
                const state = d?.active ? 'active' : d?.frozen ? 'frozen' : 'none'
                const label = t('game.day_label', {
                  day: dayLong.format(at(day)),
                  state: t(`game.day_${state}`),
                })
                return (
                  <td key={day}>
                    <Tooltip label={label}>
                      <div
                        data-state={state}
                        style={{
                          ...DAY_STYLE,
                          background: CALENDAR_COLORS[state],
                          outline:
                            day === streak.calendar.to
                              ? '2px solid var(--mantine-color-sillon-9)'
                              : undefined,
                        }}
                      >
                        <VisuallyHidden>{label}</VisuallyHidden>
                      </div>
                    </Tooltip>
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {streak.at_risk_today && (
        <Badge color="orange" variant="light">
          {t('game.at_risk_today')}
        </Badge>
      )}
    </Stack>
  )
}

// Badge icons are drawn from Tabler's set, so they show wherever fonts lack emoji. Default badges of schools
// created before carry the emoji they were given; both spell the same icon.
const BADGE_ICONS: Record<string, TablerIcon> = {
  award: IconAward,
  medal: IconMedal,
  trophy: IconTrophy,
  movie: IconMovie,
  'device-tv': IconDeviceTv,
  'player-play': IconPlayerPlay,
  'circle-check': IconCircleCheck,
  brain: IconBrain,
  target: IconTarget,
  flame: IconFlame,
  star: IconStar,
  school: IconSchool,
  book: IconBook,
  bulb: IconBulb,
  rocket: IconRocket,
  bolt: IconBolt,
  crown: IconCrown,
  heart: IconHeart,
  moon: IconMoon,
  clock: IconClock,
  calendar: IconCalendar,
  puzzle: IconPuzzle,
  sparkles: IconSparkles,
}
const EMOJI_ICONS: Record<string, string> = {
  '🎬': 'movie',
  '📺': 'device-tv',
  '🎞️': 'player-play',
  '🎞': 'player-play',
  '✅': 'circle-check',
  '🧠': 'brain',
  '💯': 'target',
  '🔥': 'flame',
  '🌟': 'star',
  '⭐': 'star',
  '🎓': 'school',
  '🏆': 'trophy',
  '🏅': 'medal',
  '📚': 'book',
  '💡': 'bulb',
  '🚀': 'rocket',
  '⚡': 'bolt',
  '👑': 'crown',
  '❤️': 'heart',
}

/** The icon names an admin may give a badge. */
export const badgeIconNames = Object.keys(BADGE_ICONS)

/** A badge's icon: a Tabler icon for a known name or emoji, the school's own emoji as is, else an award. */
export function BadgeIcon({ icon, size = 18 }: { icon: string | null; size?: number }) {
  const name = icon ? (EMOJI_ICONS[icon] ?? icon) : 'award'
  const Icon = BADGE_ICONS[name]
  if (Icon) return <Icon size={size} aria-hidden />
  // A school's own emoji stays as they typed it; anything else that is not an emoji gets the award icon.
  if (icon && /\p{Extended_Pictographic}/u.test(icon)) {
    return (
      <span aria-hidden style={{ fontSize: size }}>
        {icon}
      </span>
    )
  }
  return <IconAward size={size} aria-hidden />
}

/** A badge's name and description in the reader's language: a default badge's from its key, else as stored. */
export function useBadgeText() {
  const { t, i18n } = useTranslation()
  return (badge: { key: string | null; name: string; description?: string | null }) => {
    const path = `badges.defaults.${badge.key}`
    if (!badge.key || !i18n.exists(`${path}.name`)) {
      return { name: badge.name, description: badge.description ?? null }
    }
    return { name: t(`${path}.name` as never), description: t(`${path}.description` as never) as string }
  }
}

/** A badge as students see it: icon, name, when it was earned. */
export function BadgeChip({
  badge,
  awardedAt,
}: {
  badge: { key: string | null; name: string; icon: string | null }
  awardedAt?: string | null
}) {
  const f = useFormat()
  const text = useBadgeText()
  return (
    <Group gap="xs" wrap="nowrap">
      <ThemeIcon variant="light" size="lg" radius="xl" aria-hidden>
        <BadgeIcon icon={badge.icon} />
      </ThemeIcon>
      <div>
        <Text size="sm" fw={500}>
          {text(badge).name}
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
