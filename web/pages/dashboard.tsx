import { Badge, Button, Card, Group, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core'
import { IconPlayerPlay } from '@tabler/icons-react'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import type { Schemas } from '../api/client.ts'
import { BarChart } from '../components/charts.tsx'
import { BadgeChip, HeartsMeter, LevelMeter, StreakCalendar } from '../components/game.tsx'
import { QueryState } from '../components/query-state.tsx'
import { useDashboard } from '../hooks/dashboard.ts'
import { useFormat } from '../hooks/format.ts'

type Dashboard = Schemas['StudentDashboard']

function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder>
      <Text size="sm" fw={600} mb="xs" component="h2">
        {title}
      </Text>
      {children}
    </Card>
  )
}

function CourseCard({ course }: { course: Dashboard['courses'][number] }) {
  const { t } = useTranslation()
  const f = useFormat()
  return (
    <Card withBorder padding="lg" data-testid="course-card">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Title order={3} size="h4">
            {course.name}
          </Title>
          {course.completed && <Badge color="sillon">{t('dashboard.completed')}</Badge>}
        </Group>
        <Progress
          value={course.ratio * 100}
          aria-label={t('dashboard.progress_label', { name: course.name })}
        />
        <Text size="sm" c="dimmed">
          {t('dashboard.steps_done', {
            done: course.completed_steps,
            total: course.total_steps,
            percent: f.percent(course.ratio),
          })}
        </Text>
        {course.current_step ? (
          <Group justify="space-between" wrap="wrap">
            <Text size="sm">
              {t('dashboard.next_step')} <strong>{course.current_step.name}</strong>
            </Text>
            <Button
              component={Link}
              to={`/courses/${course.course_id}`}
              leftSection={<IconPlayerPlay size={16} />}
            >
              {course.completed_steps === 0 ? t('dashboard.start') : t('dashboard.continue')}
            </Button>
          </Group>
        ) : (
          <Button component={Link} to={`/courses/${course.course_id}`} variant="light">
            {t('dashboard.open_handout')}
          </Button>
        )}
      </Stack>
    </Card>
  )
}

function SkillsChart({ skills }: { skills: Dashboard['skills'] }) {
  const { t } = useTranslation()
  const f = useFormat()
  if (skills.skills.length === 0) return <Text c="dimmed">{t('dashboard.no_skills')}</Text>
  const rows = skills.skills.map((s) => ({
    skill: s.skill,
    [t('dashboard.mastery')]: Math.round(s.score * 100),
  }))
  return (
    <Stack gap="xs">
      <BarChart
        h={Math.max(120, skills.skills.length * 36)}
        data={rows}
        dataKey="skill"
        orientation="vertical"
        yAxisProps={{ width: 110 }}
        xAxisProps={{ domain: [0, 100] }}
        unit={f.percentSuffix}
        series={[{ name: t('dashboard.mastery'), color: 'sillon.6' }]}
      />
      {/* The chart's numbers, for screen readers and at a glance. */}
      <Group gap="xs">
        {skills.skills.map((s) => (
          <Badge key={s.skill} variant="light" color={s.level === 'mastered' ? 'sillon' : 'gray'}>
            {s.skill} · {t(`mastery.${s.level}`)}
          </Badge>
        ))}
      </Group>
    </Stack>
  )
}

export function DashboardPage() {
  const { t } = useTranslation()
  const query = useDashboard()
  return (
    <QueryState query={query}>
      {(dashboard) => (
        <Stack gap="lg">
          <Title order={1} size="h2">
            {t('dashboard.title')}
          </Title>
          <Title order={2} size="h3">
            {t('dashboard.courses')}
          </Title>
          {dashboard.courses.length === 0 ? (
            <Text c="dimmed">{t('dashboard.no_courses')}</Text>
          ) : (
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              {dashboard.courses.map((course) => (
                <CourseCard key={course.course_id} course={course} />
              ))}
            </SimpleGrid>
          )}
          {/* The next step comes first: on a phone the game's meters would push it below the fold. */}
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <Panel title={t('dashboard.xp')}>
              <LevelMeter xp={dashboard.xp} />
            </Panel>
            <Panel title={t('dashboard.streak')}>
              <StreakCalendar streak={dashboard.streak} />
            </Panel>
            <Panel title={t('dashboard.hearts')}>
              <HeartsMeter hearts={dashboard.hearts} />
            </Panel>
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <Card withBorder>
              <Group justify="space-between" mb="sm">
                <Title order={2} size="h4">
                  {t('dashboard.recent_badges')}
                </Title>
                <Button component={Link} to="/badges" variant="subtle" size="compact-sm">
                  {t('dashboard.all_badges')}
                </Button>
              </Group>
              {dashboard.badges.recent.length === 0 ? (
                <Text c="dimmed">{t('dashboard.no_badges')}</Text>
              ) : (
                <Stack gap="sm" data-testid="recent-badges">
                  {dashboard.badges.recent.map((b) => (
                    <BadgeChip key={b.badge_id} badge={b} awardedAt={b.awarded_at} />
                  ))}
                </Stack>
              )}
            </Card>
            <Card withBorder>
              <Title order={2} size="h4" mb="sm">
                {t('dashboard.skills')}
              </Title>
              <SkillsChart skills={dashboard.skills} />
            </Card>
          </SimpleGrid>
        </Stack>
      )}
    </QueryState>
  )
}
