import {
  Card,
  CloseButton,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  ThemeIcon,
  Transition,
  VisuallyHidden,
} from '@mantine/core'
import { IconArrowBigUpLines, IconAward, IconBolt, IconClock } from '@tabler/icons-react'
import { useQuery } from '@tanstack/react-query'
import { useCallback, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../api/client.ts'
import { afterNextPaint } from '../hooks/after-paint.ts'
import { useFormat } from '../hooks/format.ts'
import { BadgeChip, BadgeIcon, useBadgeText } from './game.tsx'
import classes from './rewards.module.css'

type Rewards = Schemas['Rewards']

/** What one celebration shows: the XP, the level reached if it changed, the badges, in the order they came. */
type Moment = Pick<Rewards, 'xp_gained' | 'level_before' | 'xp' | 'badges'>

// A moment goes away by itself (a level or a badge stays longer), so that it never hides the page for long.
const XP_ONLY_MS = 6_000
const RICH_MS = 10_000

/**
 * Rewards as the student's activity brings them: `check()` after each event asks the server what is new
 * since the last answer (GET /api/me/rewards from its cursor), so each XP entry and badge is celebrated
 * once, however many events and tabs there are. Checks run one after the other, never with one cursor twice.
 */
export function useRewardMoments() {
  const cursor = useRef<Promise<string | null> | null>(null)
  const [moment, setMoment] = useState<Moment | null>(null)
  const start = useCallback(() => {
    cursor.current ??= api
      .GET('/api/me/rewards')
      .then((res) => data(res).cursor)
      .catch(() => null)
    return cursor.current
  }, [])
  // Where the rewards stand when the page opens; asked once the page is drawn, which does not need it.
  useEffect(() => afterNextPaint(() => void start()), [start])

  const check = useCallback(() => {
    cursor.current = start().then(async (after) => {
      if (after === null) return null
      try {
        const next = data(await api.GET('/api/me/rewards', { params: { query: { after } } }))
        if (next.xp_gained > 0 || next.badges.length > 0) {
          // One still on screen grows: its level before stays, what came is added.
          setMoment((shown) =>
            shown
              ? {
                  xp_gained: shown.xp_gained + next.xp_gained,
                  level_before: shown.level_before,
                  xp: next.xp,
                  badges: [...shown.badges, ...next.badges],
                }
              : next,
          )
        }
        return next.cursor
      } catch {
        // A reward missed now is shown with the next one: the cursor stays where it was.
        return after
      }
    })
    return cursor.current.then(() => undefined)
  }, [start])
  const dismiss = useCallback(() => setMoment(null), [])
  return { moment, check, dismiss }
}

/** The words a screen reader says for a moment, in one polite announcement. */
function useAnnouncement(moment: Moment | null) {
  const { t } = useTranslation()
  const f = useFormat()
  const text = useBadgeText()
  if (!moment) return ''
  const level = moment.xp.level.level
  return [
    moment.xp_gained > 0 ? t('rewards.announce_xp', { xp: f.number(moment.xp_gained) }) : '',
    level > moment.level_before ? t('rewards.announce_level', { level }) : '',
    moment.badges.length > 0
      ? t('rewards.announce_badges', {
          count: moment.badges.length,
          names: f.list(moment.badges.map((b) => text(b).name)),
        })
      : '',
  ]
    .filter(Boolean)
    .join(' ')
}

/**
 * The celebration of a moment at the bottom of the screen: "+N XP", the level reached, each new badge with
 * its icon and name in the reader's language. Announced through a live region; closed by its button or
 * Escape, by a tap elsewhere, and by itself after a few seconds unless the pointer or focus is on it; it
 * pops in, unless the system asks for less motion.
 */
export function RewardMoments({ moment, dismiss }: { moment: Moment | null; dismiss: () => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const text = useBadgeText()
  const announcement = useAnnouncement(moment)
  const [held, setHeld] = useState(false)
  const card = useRef<HTMLElement>(null)
  const levelUp = moment !== null && moment.xp.level.level > moment.level_before
  const rich = levelUp || (moment?.badges.length ?? 0) > 0

  useEffect(() => {
    if (!moment) return
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) dismiss()
    }
    // A tap on the page goes where it was meant to, and the moment makes way.
    const onPointer = (event: PointerEvent) => {
      if (!card.current?.contains(event.target as Node)) dismiss()
    }
    window.addEventListener('keydown', onKey)
    document.addEventListener('pointerdown', onPointer)
    return () => {
      window.removeEventListener('keydown', onKey)
      document.removeEventListener('pointerdown', onPointer)
    }
  }, [moment, dismiss])
  useEffect(() => {
    if (!moment || held) return
    const timer = setTimeout(dismiss, rich ? RICH_MS : XP_ONLY_MS)
    return () => clearTimeout(timer)
  }, [moment, rich, held, dismiss])

  return (
    <>
      <VisuallyHidden role="status" aria-live="polite" aria-atomic="true">
        {announcement}
      </VisuallyHidden>
      <Transition mounted={moment !== null} transition="pop" duration={200}>
        {(style) => (
          <Paper
            component="section"
            ref={card}
            aria-label={t('rewards.region')}
            withBorder
            shadow="lg"
            radius="lg"
            p="md"
            className={classes.moment}
            style={style}
            data-testid="reward-moment"
            onMouseEnter={() => setHeld(true)}
            onMouseLeave={() => setHeld(false)}
            onFocus={() => setHeld(true)}
            onBlur={() => setHeld(false)}
          >
            {moment && (
              <Stack gap="sm">
                <Group justify="space-between" wrap="nowrap" align="flex-start">
                  <Group gap="sm" wrap="nowrap">
                    <ThemeIcon size={40} radius="xl" color="yellow" variant="light" aria-hidden>
                      <IconBolt size={24} />
                    </ThemeIcon>
                    <Text fw={800} fz={28} lh={1.1} className={classes.xp} data-testid="reward-xp">
                      {t('rewards.xp_gained', { xp: f.number(moment.xp_gained) })}
                    </Text>
                  </Group>
                  <CloseButton aria-label={t('common.close')} onClick={dismiss} />
                </Group>
                {levelUp && (
                  <Group gap="sm" wrap="nowrap" data-testid="reward-level">
                    <ThemeIcon size={40} radius="xl" variant="light" aria-hidden className={classes.pop}>
                      <IconArrowBigUpLines size={24} />
                    </ThemeIcon>
                    <Text fw={700} size="lg">
                      {t('rewards.level_up', { level: moment.xp.level.level })}
                    </Text>
                  </Group>
                )}
                {moment.badges.map((badge) => {
                  const { name, description } = text(badge)
                  return (
                    <Group key={badge.badge_id} gap="sm" wrap="nowrap" data-testid="reward-badge">
                      <ThemeIcon size={40} radius="xl" variant="light" aria-hidden className={classes.pop}>
                        <BadgeIcon icon={badge.icon} size={24} />
                      </ThemeIcon>
                      <div>
                        <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                          {t('rewards.new_badge')}
                        </Text>
                        <Text fw={700}>{name}</Text>
                        {description && (
                          <Text size="sm" c="dimmed">
                            {description}
                          </Text>
                        )}
                      </div>
                    </Group>
                  )
                })}
              </Stack>
            )}
          </Paper>
        )}
      </Transition>
    </>
  )
}

/** A duration in the largest unit that reads well, with the platform's words for units. */
function useDuration() {
  const { t } = useTranslation()
  const f = useFormat()
  const unit = (name: 'minute' | 'hour') =>
    new Intl.NumberFormat(f.locale, { style: 'unit', unit: name, unitDisplay: 'long' })
  return (seconds: number) => {
    if (seconds < 60) return t('rewards.duration_less_than_minute')
    const minutes = Math.round(seconds / 60)
    if (minutes < 60) return unit('minute').format(minutes)
    const hours = Math.floor(minutes / 60)
    const rest = minutes % 60
    return rest === 0
      ? unit('hour').format(hours)
      : f.list([unit('hour').format(hours), unit('minute').format(rest)])
  }
}

/** The recap of a finished course: XP its steps brought, badges they earned, time spent when known. */
export function CourseRecap({ courseId }: { courseId: string }) {
  const { t } = useTranslation()
  const f = useFormat()
  const duration = useDuration()
  const query = useQuery({
    queryKey: ['course-recap', courseId],
    queryFn: async () =>
      data(await api.GET('/api/me/courses/{course_id}/recap', { params: { path: { course_id: courseId } } })),
  })
  const recap = query.data
  if (!recap) return null
  return (
    <Stack gap="sm" w="100%" data-testid="course-recap">
      <Text fw={700} ta="center">
        {t('rewards.recap_title')}
      </Text>
      <SimpleGrid cols={{ base: 1, xs: recap.time_spent_sec === null ? 2 : 3 }} spacing="sm">
        {recap.xp_earned !== null && (
          <Card withBorder padding="sm" data-testid="recap-xp">
            <Group gap="xs" wrap="nowrap">
              <IconBolt size={20} aria-hidden color="var(--mantine-color-yellow-7)" />
              <div>
                <Text size="xs" c="dimmed">
                  {t('rewards.recap_xp')}
                </Text>
                <Text fw={700}>{t('rewards.xp_gained', { xp: f.number(recap.xp_earned) })}</Text>
              </div>
            </Group>
          </Card>
        )}
        <Card withBorder padding="sm" data-testid="recap-badge-count">
          <Group gap="xs" wrap="nowrap">
            <IconAward size={20} aria-hidden color="var(--mantine-color-sillon-8)" />
            <div>
              <Text size="xs" c="dimmed">
                {t('rewards.recap_badges')}
              </Text>
              <Text fw={700}>{f.number(recap.badges.length)}</Text>
            </div>
          </Group>
        </Card>
        {recap.time_spent_sec !== null && (
          <Card withBorder padding="sm" data-testid="recap-time">
            <Group gap="xs" wrap="nowrap">
              <IconClock size={20} aria-hidden color="var(--mantine-color-blue-7)" />
              <div>
                <Text size="xs" c="dimmed">
                  {t('rewards.recap_time')}
                </Text>
                <Text fw={700}>{duration(recap.time_spent_sec)}</Text>
              </div>
            </Group>
          </Card>
        )}
      </SimpleGrid>
      {recap.badges.length > 0 ? (
        <Group gap="md" justify="center" data-testid="recap-badges">
          {recap.badges.map((badge) => (
            <BadgeChip key={badge.badge_id} badge={badge} awardedAt={badge.awarded_at} />
          ))}
        </Group>
      ) : (
        <Text size="sm" c="dimmed" ta="center">
          {t('rewards.recap_no_badge')}
        </Text>
      )}
    </Stack>
  )
}
