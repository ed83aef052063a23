import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  NavLink,
  Paper,
  Stack,
  Text,
  Title,
} from '@mantine/core'
import { IconArrowLeft, IconCheck, IconChevronLeft, IconChevronRight, IconEye } from '@tabler/icons-react'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useParams } from 'react-router'
import { api, data, type Schemas } from '../../api/client.ts'
import { courseKey } from '../../components/builder/keys.ts'
import type { Step } from '../../components/builder/step-draft.ts'
import { useCourseSteps } from '../../components/builder/step-list.tsx'
import { Markdown } from '../../components/markdown.tsx'
import { QueryState, useErrorMessage } from '../../components/query-state.tsx'
import { type Answer, QuestionInput } from '../../components/quiz.tsx'
import { Html5Video, StreamVideo } from '../../components/video-player.tsx'
import { useFormat } from '../../hooks/format.ts'

type Course = Schemas['Course']

// Nothing here reaches the tracking endpoints: the video plays without its pings, the quiz has no submit and
// the reading no acknowledgement. What a teacher tries is kept in this page only.
const noMedia = () => undefined

/** The step's video from the staff playback endpoint (a private Stream video comes with its signed token). */
function PreviewVideo({ step }: { step: Step }) {
  const { t } = useTranslation()
  const errorMessage = useErrorMessage()
  const playback = useQuery({
    queryKey: ['courses', step.course_id, 'playback', step.id],
    queryFn: async () =>
      data(await api.GET('/api/lms/classes/{id}/playback', { params: { path: { id: step.id } } })),
  })
  if (playback.isPending) return null
  if (playback.isError) {
    return (
      <Alert color="orange">
        {t('builder.preview.video_unavailable', { reason: errorMessage(playback.error) })}
      </Alert>
    )
  }
  const video = playback.data
  return video.source === 'url' ? (
    <Html5Video url={video.url} onMedia={noMedia} />
  ) : (
    <StreamVideo id={video.token ?? video.uid} onMedia={noMedia} />
  )
}

/** The questions as a student gets them: prompts and choices, never the expected answers or the hints. */
function PreviewQuiz({ quiz, coursePass }: { quiz: NonNullable<Step['quiz']>; coursePass: number }) {
  const { t } = useTranslation()
  const f = useFormat()
  const [answers, setAnswers] = useState<Record<string, Answer>>({})
  if (quiz.kind === 'tally') {
    return <Text>{t('builder.preview.tally', { form: quiz.tally?.form_id ?? '' })}</Text>
  }
  const questions = (quiz.questions ?? []).map(({ id, type, prompt, points, skills, ...rest }) => ({
    id,
    type,
    prompt,
    points: points ?? 1,
    skills: skills ?? [],
    choices: 'choices' in rest ? rest.choices : undefined,
  }))
  return (
    <Stack gap="lg" data-testid="preview-quiz">
      <Text size="sm" c="dimmed">
        {t('builder.preview.threshold', { percent: f.percent(quiz.pass_threshold ?? coursePass) })}
      </Text>
      {questions.map((question, index) => (
        <Paper key={question.id} withBorder p="md">
          <QuestionInput
            question={question}
            index={index}
            value={answers[question.id] ?? null}
            onChange={(value) => setAnswers((prev) => ({ ...prev, [question.id]: value }))}
            disabled={false}
          />
        </Paper>
      ))}
      <Group>
        <Button disabled>{t('quiz.submit')}</Button>
        <Text size="sm" c="dimmed">
          {t('builder.preview.quiz_disabled')}
        </Text>
      </Group>
    </Stack>
  )
}

function PreviewStep({ course, step }: { course: Course; step: Step }) {
  const { t } = useTranslation()
  const hasVideo = step.step_type === 'video' || step.step_type === 'video_quiz'
  return (
    <Card withBorder padding="lg" data-testid="preview-step">
      <Stack gap="md">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Title order={2} size="h3">
            {step.name}
          </Title>
          <Badge variant="light" style={{ flexShrink: 0 }}>
            {t(`step_types.${step.step_type}`)}
          </Badge>
        </Group>
        {step.description && <Text>{step.description}</Text>}
        {hasVideo &&
          (step.video ? (
            <PreviewVideo step={step} />
          ) : (
            <Text c="dimmed">{t('builder.preview.no_video')}</Text>
          ))}
        {step.quiz && <PreviewQuiz quiz={step.quiz} coursePass={course.quiz_pass_threshold} />}
        {step.step_type === 'reading' && (
          <>
            <Markdown>{step.content_md ?? ''}</Markdown>
            <Group>
              <Button disabled leftSection={<IconCheck size={16} aria-hidden />}>
                {t('player.acknowledge')}
              </Button>
              <Text size="sm" c="dimmed">
                {t('builder.preview.acknowledge_disabled')}
              </Text>
            </Group>
          </>
        )}
      </Stack>
    </Card>
  )
}

function Preview({ course, steps, stepId }: { course: Course; steps: Step[]; stepId: string | undefined }) {
  const { t } = useTranslation()
  const index = Math.max(
    0,
    steps.findIndex((s) => s.id === stepId),
  )
  const step = steps[index]
  const link = (s: Step) => `/teach/courses/${course.id}/preview/${s.id}`
  const previous = steps[index - 1]
  const next = steps[index + 1]
  return (
    <Stack gap="lg">
      <Anchor component={Link} to={`/teach/courses/${course.id}/steps`} size="sm">
        <Group gap={4} component="span">
          <IconArrowLeft size={16} aria-hidden />
          {t('builder.preview.back')}
        </Group>
      </Anchor>
      <div>
        <Title order={1} size="h2" style={{ overflowWrap: 'anywhere' }}>
          {course.name}
        </Title>
        <Text c="dimmed" size="sm">
          {t('builder.preview.title')}
        </Text>
      </div>
      <Alert color="blue" icon={<IconEye />} data-testid="preview-notice">
        {t('builder.preview.notice')}
      </Alert>
      {!step ? (
        <Text c="dimmed">{t('builder.preview.empty')}</Text>
      ) : (
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, md: 8 }} order={{ base: 1, md: 2 }}>
            <Stack gap="md">
              <PreviewStep key={step.id} course={course} step={step} />
              <Group justify="space-between">
                {previous ? (
                  <Button
                    component={Link}
                    to={link(previous)}
                    variant="default"
                    leftSection={<IconChevronLeft size={16} aria-hidden />}
                  >
                    {t('builder.preview.previous')}
                  </Button>
                ) : (
                  <span />
                )}
                <Text size="sm" c="dimmed">
                  {t('builder.preview.position', { position: index + 1, total: steps.length })}
                </Text>
                {next ? (
                  <Button
                    component={Link}
                    to={link(next)}
                    rightSection={<IconChevronRight size={16} aria-hidden />}
                  >
                    {t('builder.preview.next')}
                  </Button>
                ) : (
                  <span />
                )}
              </Group>
            </Stack>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 4 }} order={{ base: 2, md: 1 }}>
            <Card withBorder component="nav" aria-label={t('builder.preview.path')}>
              <Title order={2} size="h5" mb="sm">
                {t('builder.preview.path')}
              </Title>
              {steps.map((s, i) => (
                <NavLink
                  key={s.id}
                  component={Link}
                  to={link(s)}
                  active={s.id === step.id}
                  aria-current={s.id === step.id ? 'step' : undefined}
                  label={`${i + 1}. ${s.name}`}
                  description={t(`step_types.${s.step_type}`)}
                />
              ))}
            </Card>
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  )
}

/** A course as its students will take it, step by step, for its teachers: nothing is recorded. */
export function CoursePreviewPage() {
  const { courseId = '', stepId } = useParams()
  const course = useQuery({
    queryKey: courseKey(courseId),
    queryFn: async () => data(await api.GET('/api/lms/courses/{id}', { params: { path: { id: courseId } } })),
  })
  const steps = useCourseSteps(courseId)
  return (
    <QueryState query={course}>
      {(c) => (
        <QueryState query={steps}>{(list) => <Preview course={c} steps={list} stepId={stepId} />}</QueryState>
      )}
    </QueryState>
  )
}
