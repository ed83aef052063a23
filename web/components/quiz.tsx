import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  Progress,
  Radio,
  Stack,
  Text,
  TextInput,
  ThemeIcon,
  Title,
} from '@mantine/core'
import { IconCheck, IconHeartBroken, IconX } from '@tabler/icons-react'
import { type ReactNode, useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, api, type Schemas } from '../api/client.ts'
import { useFormat } from '../hooks/format.ts'
import { HeartsMeter } from './game.tsx'
import { useErrorMessage } from './query-state.tsx'

type StudentQuiz = NonNullable<NonNullable<Schemas['StudentCourse']['steps'][number]['content']>['quiz']>
type Question = NonNullable<StudentQuiz['questions']>[number]
type Hearts = NonNullable<Schemas['StudentCourse']['hearts']>
type Result = Schemas['QuizResult']
export type Answer = string | string[] | boolean | number | null
type Answers = Record<string, Answer>

// Inputs with a short answer stay narrow; their prompt keeps the width of the card.
const NARROW_INPUT = { wrapper: { maxWidth: 420 } }

/** One question's input as students answer it (also shown, unsent, in the teacher's preview). */
export function QuestionInput({
  question,
  index,
  value,
  onChange,
  disabled,
}: {
  question: Question
  index: number
  value: Answer
  onChange: (value: Answer) => void
  disabled: boolean
}) {
  const { t } = useTranslation()
  const label = `${index + 1}. ${question.prompt}`
  const choices = question.choices ?? []
  switch (question.type) {
    case 'single_choice':
      return (
        <Radio.Group label={label} value={(value as string) ?? null} onChange={onChange}>
          <Stack gap="xs" mt="xs">
            {choices.map((c) => (
              <Radio key={c.id} value={c.id} label={c.text} disabled={disabled} />
            ))}
          </Stack>
        </Radio.Group>
      )
    case 'multiple_choice':
      return (
        <Checkbox.Group
          label={label}
          description={t('quiz.several')}
          value={(value as string[]) ?? []}
          onChange={onChange}
        >
          <Stack gap="xs" mt="xs">
            {choices.map((c) => (
              <Checkbox key={c.id} value={c.id} label={c.text} disabled={disabled} />
            ))}
          </Stack>
        </Checkbox.Group>
      )
    case 'true_false':
      return (
        <Radio.Group
          label={label}
          value={value === null ? null : String(value)}
          onChange={(v) => onChange(v === 'true')}
        >
          <Group mt="xs">
            <Radio value="true" label={t('quiz.true')} disabled={disabled} />
            <Radio value="false" label={t('quiz.false')} disabled={disabled} />
          </Group>
        </Radio.Group>
      )
    case 'number':
      return (
        <NumberInput
          label={label}
          value={typeof value === 'number' ? value : ''}
          onChange={(v) => onChange(typeof v === 'number' ? v : null)}
          disabled={disabled}
          decimalSeparator={t('quiz.decimal_separator')}
          styles={NARROW_INPUT}
        />
      )
    default:
      return (
        <TextInput
          label={label}
          value={(value as string) ?? ''}
          onChange={(e) => onChange(e.currentTarget.value)}
          disabled={disabled}
          styles={NARROW_INPUT}
        />
      )
  }
}

/**
 * The student's own answer once the attempt is graded, marked right or wrong. Only what they chose is
 * marked: the choices they did not pick say nothing, so a failed attempt never points at the right one.
 */
function AnswerReview({
  question,
  index,
  value,
  correct,
}: {
  question: Question
  index: number
  value: Answer
  correct: boolean
}) {
  const { t } = useTranslation()
  const f = useFormat()
  const color = correct ? 'sillon' : 'red'
  const mark = (
    <ThemeIcon size={22} radius="xl" color={color} aria-hidden>
      {correct ? <IconCheck size={14} /> : <IconX size={14} />}
    </ThemeIcon>
  )
  const yours = (
    <Badge color={color} variant="light" size="sm">
      {correct ? t('quiz.your_answer_right') : t('quiz.your_answer_wrong')}
    </Badge>
  )
  const choices =
    question.type === 'true_false'
      ? [
          { id: 'true', text: t('quiz.true') },
          { id: 'false', text: t('quiz.false') },
        ]
      : (question.choices ?? [])
  const picked = new Set((Array.isArray(value) ? value : [value]).map((v) => String(v)))
  let body: ReactNode
  if (choices.length > 0) {
    body = (
      <Stack gap={6} component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
        {choices.map((c) =>
          picked.has(c.id) ? (
            <Paper
              key={c.id}
              component="li"
              withBorder
              px="sm"
              py={6}
              radius="md"
              bd={`2px solid var(--mantine-color-${color}-6)`}
              bg={`var(--mantine-color-${color}-light)`}
              data-testid={correct ? 'own-answer-right' : 'own-answer-wrong'}
            >
              <Group gap="sm" wrap="nowrap">
                {mark}
                <Text fw={600} style={{ flex: 1 }}>
                  {c.text}
                </Text>
                {yours}
              </Group>
            </Paper>
          ) : (
            <Text key={c.id} component="li" px="sm" py={2}>
              {c.text}
            </Text>
          ),
        )}
      </Stack>
    )
  } else {
    const shown = typeof value === 'number' ? f.number(value) : String(value ?? '')
    body = (
      <Paper
        withBorder
        px="sm"
        py={6}
        radius="md"
        bd={`2px solid var(--mantine-color-${color}-6)`}
        bg={`var(--mantine-color-${color}-light)`}
        maw={420}
        data-testid={correct ? 'own-answer-right' : 'own-answer-wrong'}
      >
        <Group gap="sm" wrap="nowrap">
          {mark}
          <Text fw={600} style={{ flex: 1, overflowWrap: 'anywhere' }}>
            {shown}
          </Text>
          {yours}
        </Group>
      </Paper>
    )
  }
  return (
    <Stack gap="xs">
      <Text fw={500} size="sm">
        {`${index + 1}. ${question.prompt}`}
      </Text>
      {body}
    </Stack>
  )
}

/** Right or wrong; the expected answer and the explanation only when the server reveals them (once passed). */
function Feedback({ result, question }: { result: Result['results'][number]; question?: Question }) {
  const { t } = useTranslation()
  const f = useFormat()
  const shown = (answer: unknown): string => {
    // Every choice of a multiple choice is expected; any one of a short answer's accepted texts will do.
    if (Array.isArray(answer))
      return (question?.type === 'short_text' ? f.alternatives : f.list)(answer.map(shown))
    if (typeof answer === 'boolean') return answer ? t('quiz.true') : t('quiz.false')
    return question?.choices?.find((c) => c.id === answer)?.text ?? String(answer)
  }
  const title = result.correct
    ? t('quiz.right')
    : result.correct_answer !== undefined
      ? t('quiz.wrong_expected', { answer: shown(result.correct_answer) })
      : t('quiz.wrong')
  return (
    <Alert
      color={result.correct ? 'sillon' : 'red'}
      icon={result.correct ? <IconCheck size={18} /> : <IconX size={18} />}
      title={title}
      data-testid="question-feedback"
    >
      {result.hint && (
        <Text size="sm" data-testid="question-hint">
          {t('quiz.hint', { hint: result.hint })}
        </Text>
      )}
      {result.explanation && <Text size="sm">{result.explanation}</Text>}
    </Alert>
  )
}

/** No attempt until a heart comes back: said up front, with the time, instead of the questions. */
function OutOfHearts({ nextHeartAt, onRefill }: { nextHeartAt: string | null; onRefill: () => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  useEffect(() => {
    if (!nextHeartAt) return
    // setTimeout holds at most 2^31 - 1 ms; a refill further away is seen on a later visit.
    const wait = Date.parse(nextHeartAt) - Date.now() + 1000
    if (wait <= 0 || wait > 2 ** 31 - 1) return
    const timer = setTimeout(onRefill, wait)
    return () => clearTimeout(timer)
  }, [nextHeartAt, onRefill])
  return (
    <Alert
      color="red"
      icon={<IconHeartBroken aria-hidden />}
      title={t('quiz.no_hearts_title')}
      data-testid="no-hearts"
    >
      <Text size="sm">
        {nextHeartAt ? t('quiz.no_hearts', { time: f.dateTime(nextHeartAt) }) : t('quiz.no_hearts_soon')}
      </Text>
      <Text size="sm" mt="xs">
        {t('quiz.no_hearts_kept')}
      </Text>
    </Alert>
  )
}

const isAnswered = (a: Answer | undefined) =>
  a !== null && a !== undefined && a !== '' && !(Array.isArray(a) && a.length === 0)

/**
 * The answers of one attempt, kept on this device as they are given (per student, step and attempt), so
 * that a reload or a lost connection loses nothing; dropped once the attempt is graded.
 */
function useDraft(key: string, questions: Question[]) {
  const load = (): Answers => {
    const empty: Answers = Object.fromEntries(questions.map((q) => [q.id, null]))
    try {
      const stored = JSON.parse(localStorage.getItem(key) ?? '{}') as Answers
      for (const q of questions) if (q.id in stored) empty[q.id] = stored[q.id] ?? null
    } catch {
      // A draft that no longer parses is only lost typing; start afresh.
    }
    return empty
  }
  const [draft, setDraft] = useState(() => ({ key, answers: load() }))
  const answers = draft.key === key ? draft.answers : load()
  const setAnswer = (id: string, value: Answer) => {
    const next = { ...answers, [id]: value }
    setDraft({ key, answers: next })
    localStorage.setItem(key, JSON.stringify(next))
  }
  const discard = () => localStorage.removeItem(key)
  return { answers, setAnswer, discard }
}

/**
 * A native quiz: the score needed and the hearts left first, then the questions (all at once or one at a
 * time, as the teacher chose), one submission, and feedback per question with the student's own answers
 * marked. Out of hearts, the quiz waits for the next one instead of showing a form it would refuse.
 */
export function NativeQuiz({
  classId,
  draftKey,
  questions,
  passThreshold,
  display,
  hearts,
  onPassed,
  onRetry,
  onGraded,
}: {
  classId: string
  /** Who and which attempt the answers belong to, for the draft kept on the device. */
  draftKey: string
  questions: Question[]
  passThreshold: number
  display: 'all' | 'one_at_a_time'
  /** The hearts left before this attempt; null when the school has hearts off. */
  hearts: Hearts | null
  onPassed: () => void
  /** As soon as an attempt is graded (its rewards are known then, before the student moves on). */
  onGraded?: (result: Schemas['QuizResult']) => void
  /** Fetches the quiz again: each attempt has its own order of questions and choices, and the hearts left. */
  onRetry: () => Promise<void>
}) {
  const { t } = useTranslation()
  const f = useFormat()
  const errorMessage = useErrorMessage()
  const { answers, setAnswer, discard } = useDraft(`sillon.quiz-draft.${draftKey}`, questions)
  const [result, setResult] = useState<{ graded: Result; answers: Answers } | null>(null)
  const [refused, setRefused] = useState<{ next_heart_at: string | null } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [sending, setSending] = useState(false)
  const [shown, setShown] = useState(0)

  const submit = async () => {
    setError(null)
    setSending(true)
    try {
      const res = await api.POST('/api/quiz-submission', {
        body: { class_id: classId, answers, event_id: crypto.randomUUID() },
      })
      if (res.data) {
        setResult({ graded: res.data, answers })
        discard()
        onGraded?.(res.data)
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'no_hearts') {
        setRefused({ next_heart_at: (err.details.next_heart_at as string | undefined) ?? null })
      } else setError(errorMessage(err))
    } finally {
      setSending(false)
    }
  }
  const retry = async () => {
    setSending(true)
    try {
      await onRetry()
    } finally {
      setSending(false)
      setResult(null)
      setRefused(null)
      setShown(0)
    }
  }

  const outOfHearts = refused ?? (hearts?.hearts === 0 && !result ? hearts : null)
  if (outOfHearts)
    return <OutOfHearts nextHeartAt={outOfHearts.next_heart_at} onRefill={() => void retry()} />

  const graded = result?.graded
  const oneAtATime = display === 'one_at_a_time' && !graded && questions.length > 1
  const visible = oneAtATime ? questions.slice(shown, shown + 1) : questions
  const unanswered = questions.some((q) => !isAnswered(answers[q.id]))
  const lastShown = !oneAtATime || shown === questions.length - 1
  const heartsLeft = graded?.hearts ?? hearts
  return (
    <Stack gap="lg">
      <Paper withBorder p="md" radius="md" data-testid="quiz-intro">
        <Group justify="space-between" align="flex-start" gap="md">
          <Text size="sm" fw={500} data-testid="quiz-threshold">
            {t('quiz.threshold', { percent: f.percent(passThreshold) })}
          </Text>
          {hearts && !graded && <HeartsMeter hearts={{ enabled: true, ...hearts }} />}
        </Group>
      </Paper>
      {oneAtATime && (
        <Stack gap={4}>
          <Text size="sm" c="dimmed" data-testid="question-position">
            {t('quiz.question_of', { index: shown + 1, count: questions.length })}
          </Text>
          <Progress
            value={((shown + 1) / questions.length) * 100}
            aria-label={t('quiz.question_of', { index: shown + 1, count: questions.length })}
          />
        </Stack>
      )}
      {visible.map((q) => {
        const index = questions.indexOf(q)
        const feedback = graded?.results.find((r) => r.question_id === q.id)
        return (
          <Paper key={q.id} withBorder p="md">
            <Stack gap="sm">
              {feedback && result ? (
                <AnswerReview
                  question={q}
                  index={index}
                  value={result.answers[q.id] ?? null}
                  correct={feedback.correct}
                />
              ) : (
                <QuestionInput
                  question={q}
                  index={index}
                  value={answers[q.id] ?? null}
                  onChange={(value) => setAnswer(q.id, value)}
                  disabled={sending}
                />
              )}
              {feedback && <Feedback result={feedback} question={q} />}
            </Stack>
          </Paper>
        )
      })}
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {!graded ? (
        <Group>
          {oneAtATime && shown > 0 && (
            <Button variant="default" onClick={() => setShown(shown - 1)}>
              {t('quiz.previous')}
            </Button>
          )}
          {lastShown ? (
            <Button onClick={() => void submit()} loading={sending} disabled={unanswered}>
              {t('quiz.submit')}
            </Button>
          ) : (
            <Button onClick={() => setShown(shown + 1)} disabled={!isAnswered(answers[visible[0]?.id ?? ''])}>
              {t('quiz.next')}
            </Button>
          )}
          {lastShown && unanswered && (
            <Text size="sm" c="dimmed">
              {t('quiz.answer_all')}
            </Text>
          )}
        </Group>
      ) : (
        <Paper withBorder p="md" role="status" data-testid="quiz-result">
          <Stack gap="sm">
            {/* Colours that follow the scheme (web/main.tsx): a fixed dark shade is unreadable in dark mode. */}
            <Title
              order={3}
              size="h4"
              c={graded.passed ? 'var(--sillon-heading-color)' : 'var(--sillon-error-heading-color)'}
            >
              {graded.passed
                ? t('quiz.passed', { percent: f.percent(graded.ratio) })
                : t(graded.hearts ? 'quiz.failed' : 'quiz.failed_no_hearts', {
                    percent: f.percent(graded.ratio),
                  })}
            </Title>
            {heartsLeft && !graded.passed && <HeartsMeter hearts={{ enabled: true, ...heartsLeft }} />}
            {!graded.answers_revealed && (
              <Text size="sm" data-testid="answers-withheld">
                {graded.reveal_answers === 'never' ? t('quiz.answers_never') : t('quiz.answers_after_pass')}
              </Text>
            )}
            {graded.passed ? (
              <Button onClick={onPassed}>{t('player.continue')}</Button>
            ) : graded.hearts?.hearts === 0 ? (
              <OutOfHearts nextHeartAt={graded.hearts.next_heart_at} onRefill={() => void retry()} />
            ) : (
              <Button variant="light" loading={sending} onClick={() => void retry()}>
                {t('quiz.retry')}
              </Button>
            )}
          </Stack>
        </Paper>
      )}
    </Stack>
  )
}
