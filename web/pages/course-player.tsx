import {
  Alert,
  AspectRatio,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Loader,
  Progress,
  Stack,
  Text,
  ThemeIcon,
  Timeline,
  Title,
} from '@mantine/core'
import { IconCheck, IconConfetti, IconLock, IconPlayerPlay } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { lazy, Suspense, useCallback, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { answerInPage, api, data, type Schemas } from '../api/client.ts'
import { Handout } from '../components/handout.tsx'
import { Markdown } from '../components/markdown.tsx'
import { MessageTeacherButton } from '../components/message-teacher.tsx'
import { notify } from '../components/notify.ts'
import { QueryState, useErrorMessage } from '../components/query-state.tsx'
import { CourseRecap, RewardMoments, useRewardMoments } from '../components/rewards.tsx'
import { VideoPlayer } from '../components/video-player.tsx'
import { dashboardKey } from '../hooks/dashboard.ts'
import { useFormat } from '../hooks/format.ts'
import { useMe } from '../hooks/session.ts'

// A quiz's inputs come with the first quiz to show: a video or a reading opens without them.
const NativeQuiz = lazy(() => import('../components/quiz.tsx').then((m) => ({ default: m.NativeQuiz })))

type Course = Schemas['StudentCourse']
type Step = Course['steps'][number]

const courseKey = (id: string) => ['course', id] as const

const fetchCourse = async (courseId: string) =>
  data(await api.GET('/api/me/courses/{course_id}', { params: { path: { course_id: courseId } } }))

/** One course as the signed-in student takes it. */
export function useStudentCourse(courseId: string) {
  return useQuery({
    queryKey: courseKey(courseId),
    queryFn: () => fetchCourse(courseId),
    initialData: () => answerInPage<Course>(`/api/me/courses/${courseId}`),
  })
}

function StepList({ steps }: { steps: Step[] }) {
  const { t } = useTranslation()
  const current = steps.findIndex((s) => s.state === 'current')
  return (
    <Timeline active={current === -1 ? steps.length : current} bulletSize={26} lineWidth={2}>
      {steps.map((step) => (
        <Timeline.Item
          key={step.id}
          bullet={
            step.state === 'completed' ? (
              <IconCheck size={14} />
            ) : step.state === 'locked' ? (
              <IconLock size={14} />
            ) : (
              <IconPlayerPlay size={14} />
            )
          }
          title={
            <Text
              size="sm"
              fw={step.state === 'current' ? 700 : 400}
              c={step.state === 'locked' ? 'dimmed' : undefined}
            >
              {step.name}
            </Text>
          }
          aria-current={step.state === 'current' ? 'step' : undefined}
          data-testid={`step-${step.state}`}
        >
          <Text size="xs" c="dimmed">
            {t(`step_types.${step.step_type}`)} · {t(`step_states.${step.state}`)}
          </Text>
        </Timeline.Item>
      ))}
    </Timeline>
  )
}

function TallyQuiz({
  quiz,
  onDone,
}: {
  quiz: NonNullable<NonNullable<Step['content']>['quiz']>
  onDone: () => void
}) {
  const { t } = useTranslation()
  const f = useFormat()
  const params = new URLSearchParams({ hideTitle: '1', transparentBackground: '1', ...quiz.hidden_fields })
  return (
    <Stack>
      <Text size="sm" fw={500} data-testid="quiz-threshold">
        {t('quiz.threshold', { percent: f.percent(quiz.pass_threshold) })}
      </Text>
      <AspectRatio ratio={4 / 5} mah={720}>
        <iframe
          title={t('quiz.tally_title')}
          src={`https://tally.so/embed/${quiz.form_id}?${params}`}
          style={{ border: 0 }}
        />
      </AspectRatio>
      <Button variant="light" onClick={onDone}>
        {t('quiz.tally_sent')}
      </Button>
    </Stack>
  )
}

function CurrentStep({
  course,
  step,
  refresh,
  checkRewards,
}: {
  course: Course
  step: Step
  refresh: () => Promise<void>
  /** After an event that may have earned something (a video watched to the end gives XP on its own). */
  checkRewards: () => Promise<void>
}) {
  const { t } = useTranslation()
  const me = useMe()
  const errorMessage = useErrorMessage()
  const [videoDone, setVideoDone] = useState(step.progress?.video_completed ?? false)
  const [acking, setAcking] = useState(false)
  const content = step.content
  const onProgress = useCallback(
    (progress: Schemas['StepProgress']) => {
      if (progress.step_completed) void refresh()
      else if (progress.video_completed) {
        setVideoDone(true)
        void checkRewards()
      }
    },
    [refresh, checkRewards],
  )
  if (!content) return null
  const acknowledge = async () => {
    setAcking(true)
    try {
      await api.POST('/api/step-ack', { body: { class_id: step.id, event_id: crypto.randomUUID() } })
      await refresh()
    } catch (err) {
      notify(errorMessage(err), 'red')
    } finally {
      setAcking(false)
    }
  }
  const hasVideo = content.video !== null
  const showQuiz = content.quiz !== null && (!hasVideo || videoDone)
  return (
    <Card withBorder padding="lg">
      <Stack gap="md">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Title order={2} size="h3">
            {step.name}
          </Title>
          <Badge variant="light">{t(`step_types.${step.step_type}`)}</Badge>
        </Group>
        {content.description && <Text>{content.description}</Text>}
        {content.video && (
          <VideoPlayer
            courseId={course.course.id}
            classId={step.id}
            playback={content.video}
            creditedSec={step.progress?.video_position_sec ?? 0}
            maxRate={course.course.max_playback_rate}
            allowDownload={course.course.allow_video_download}
            captions={content.captions}
            onProgress={onProgress}
          />
        )}
        {hasVideo && videoDone && content.quiz && (
          <Alert color="sillon" icon={<IconCheck />} data-testid="video-done">
            {t('player.video_done_quiz')}
          </Alert>
        )}
        {hasVideo && !videoDone && content.quiz && (
          <Text size="sm" c="dimmed">
            {t('player.quiz_after_video')}
          </Text>
        )}
        {showQuiz && content.quiz?.kind === 'native' && (
          <Suspense fallback={<Loader role="status" aria-label={t('common.loading')} />}>
            <NativeQuiz
              classId={step.id}
              draftKey={`${me.data?.user.id ?? ''}.${step.id}.${(step.progress?.quiz_attempts ?? 0) + 1}`}
              questions={content.quiz.questions ?? []}
              passThreshold={content.quiz.pass_threshold}
              display={content.quiz.question_display ?? 'all'}
              hearts={course.hearts}
              onPassed={() => void refresh()}
              onRetry={refresh}
              onGraded={(result) => {
                if (result.passed) void checkRewards()
              }}
            />
          </Suspense>
        )}
        {showQuiz && content.quiz?.kind === 'tally' && (
          <TallyQuiz quiz={content.quiz} onDone={() => void refresh()} />
        )}
        {content.content_md !== null && (
          <>
            <Markdown>{content.content_md}</Markdown>
            <Button onClick={() => void acknowledge()} loading={acking} leftSection={<IconCheck size={16} />}>
              {t('player.acknowledge')}
            </Button>
          </>
        )}
      </Stack>
    </Card>
  )
}

function Completed({ course }: { course: Course }) {
  const { t } = useTranslation()
  return (
    <Stack gap="lg">
      <Card withBorder padding="xl" data-testid="course-completed">
        <Stack align="center" gap="sm">
          <ThemeIcon size={56} radius="xl" variant="light">
            <IconConfetti size={32} />
          </ThemeIcon>
          <Title order={2} ta="center">
            {t('player.completed_title')}
          </Title>
          <Text ta="center">{t('player.completed_text', { name: course.course.name })}</Text>
          <CourseRecap courseId={course.course.id} />
          <Button component={Link} to="/" variant="light">
            {t('player.back_home')}
          </Button>
        </Stack>
      </Card>
      <Title order={2} size="h3">
        {t('handout.title')}
      </Title>
      <Handout kms={course.kms} />
    </Stack>
  )
}

/** The linear player: the current step only; done steps are done, later steps locked. */
export function CoursePlayerPage() {
  const { t } = useTranslation()
  const { courseId = '' } = useParams()
  const client = useQueryClient()
  const query = useStudentCourse(courseId)
  const rewards = useRewardMoments()
  const { check: checkRewards } = rewards
  const refresh = useCallback(async () => {
    const before = client.getQueryData<Course>(courseKey(courseId))?.progress.completed_steps ?? 0
    const after = await client.fetchQuery({
      queryKey: courseKey(courseId),
      queryFn: () => fetchCourse(courseId),
    })
    void client.invalidateQueries({ queryKey: dashboardKey })
    void checkRewards()
    if (after.progress.completed_steps > before && !after.progress.completed) {
      notify(t('player.step_done'))
    }
  }, [client, courseId, t, checkRewards])

  return (
    <>
      <RewardMoments moment={rewards.moment} dismiss={rewards.dismiss} />
      <QueryState query={query}>
        {(course) => {
          const current = course.steps.find((s) => s.state === 'current')
          return (
            <Stack gap="lg">
              <div>
                <Title order={1} size="h2">
                  {course.course.name}
                </Title>
                <Group gap="sm" mt="xs">
                  <Progress value={course.progress.ratio * 100} w={200} aria-label={t('player.progress')} />
                  <Text size="sm" c="dimmed" data-testid="course-progress">
                    {t('dashboard.steps_done_short', {
                      done: course.progress.completed_steps,
                      total: course.progress.total_steps,
                    })}
                  </Text>
                  <MessageTeacherButton courseId={course.course.id} />
                </Group>
              </div>
              <Grid gap="lg">
                <Grid.Col span={{ base: 12, md: 8 }} order={{ base: 1, md: 2 }}>
                  {course.progress.completed || !current ? (
                    <Completed course={course} />
                  ) : (
                    <CurrentStep
                      key={current.id}
                      course={course}
                      step={current}
                      refresh={refresh}
                      checkRewards={checkRewards}
                    />
                  )}
                </Grid.Col>
                <Grid.Col span={{ base: 12, md: 4 }} order={{ base: 2, md: 1 }}>
                  <Card withBorder>
                    <Title order={2} size="h5" mb="sm">
                      {t('player.path')}
                    </Title>
                    <StepList steps={course.steps} />
                  </Card>
                </Grid.Col>
              </Grid>
            </Stack>
          )
        }}
      </QueryState>
    </>
  )
}
