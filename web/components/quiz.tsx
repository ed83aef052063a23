import {
  Alert,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  Radio,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { IconCheck, IconHeartBroken, IconX } from '@tabler/icons-react'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, api, type Schemas } from '../api/client.ts'
import { useFormat } from '../hooks/format.ts'
import { HeartsMeter } from './game.tsx'
import { useErrorMessage } from './query-state.tsx'

type Question = NonNullable<
  NonNullable<NonNullable<Schemas['StudentCourse']['steps'][number]['content']>['quiz']>['questions']
>[number]
type Result = Schemas['QuizResult']
export type Answer = string | string[] | boolean | number | null

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
          maw={240}
        />
      )
    default:
      return (
        <TextInput
          label={label}
          value={(value as string) ?? ''}
          onChange={(e) => onChange(e.currentTarget.value)}
          disabled={disabled}
          maw={420}
        />
      )
  }
}

/** Right or wrong; the expected answer and the explanation only when the server reveals them (once passed). */
function Feedback({ result, question }: { result: Result['results'][number]; question?: Question }) {
  const { t } = useTranslation()
  const shown = (answer: unknown): string => {
    if (Array.isArray(answer)) return answer.map(shown).join(', ')
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

/** A native quiz: the questions, one submission, then feedback per question; hearts when they are on. */
export function NativeQuiz({
  classId,
  questions,
  passThreshold,
  onPassed,
  onRetry,
}: {
  classId: string
  questions: Question[]
  passThreshold: number | null
  onPassed: () => void
  /** Fetches the questions again: each attempt has its own order of questions and choices. */
  onRetry: () => Promise<void>
}) {
  const { t } = useTranslation()
  const f = useFormat()
  const errorMessage = useErrorMessage()
  const empty = () => Object.fromEntries(questions.map((q) => [q.id, null])) as Record<string, Answer>
  const [answers, setAnswers] = useState(empty)
  const [result, setResult] = useState<Result | null>(null)
  const [blockedUntil, setBlockedUntil] = useState<string | null | undefined>(undefined)
  const [error, setError] = useState<string | null>(null)
  const [sending, setSending] = useState(false)

  const submit = async () => {
    setError(null)
    setSending(true)
    try {
      const res = await api.POST('/api/quiz-submission', {
        body: { class_id: classId, answers, event_id: crypto.randomUUID() },
      })
      setResult(res.data ?? null)
    } catch (err) {
      if (err instanceof ApiError && err.code === 'no_hearts') {
        setBlockedUntil((err.details.next_heart_at as string | undefined) ?? null)
      } else setError(errorMessage(err))
    } finally {
      setSending(false)
    }
  }

  if (blockedUntil !== undefined) {
    return (
      <Alert color="red" icon={<IconHeartBroken />} title={t('quiz.no_hearts_title')} data-testid="no-hearts">
        {blockedUntil ? t('quiz.no_hearts', { time: f.dateTime(blockedUntil) }) : t('quiz.no_hearts_soon')}
      </Alert>
    )
  }

  const unanswered = questions.some((q) => {
    const a = answers[q.id]
    return a === null || a === '' || (Array.isArray(a) && a.length === 0)
  })
  const done = result !== null
  return (
    <Stack gap="lg">
      {passThreshold !== null && (
        <Text size="sm" c="dimmed">
          {t('quiz.threshold', { percent: f.percent(passThreshold) })}
        </Text>
      )}
      {questions.map((q, index) => (
        <Paper key={q.id} withBorder p="md">
          <Stack gap="sm">
            <QuestionInput
              question={q}
              index={index}
              value={answers[q.id] ?? null}
              onChange={(value) => setAnswers((prev) => ({ ...prev, [q.id]: value }))}
              disabled={done || sending}
            />
            {result?.results
              .filter((r) => r.question_id === q.id)
              .map((r) => (
                <Feedback key={r.question_id} result={r} question={q} />
              ))}
          </Stack>
        </Paper>
      ))}
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      {!result ? (
        <Group>
          <Button onClick={() => void submit()} loading={sending} disabled={unanswered}>
            {t('quiz.submit')}
          </Button>
          {unanswered && (
            <Text size="sm" c="dimmed">
              {t('quiz.answer_all')}
            </Text>
          )}
        </Group>
      ) : (
        <Paper withBorder p="md" role="status" data-testid="quiz-result">
          <Stack gap="sm">
            <Title order={3} size="h4" c={result.passed ? 'sillon.9' : 'red.8'}>
              {result.passed
                ? t('quiz.passed', { percent: f.percent(result.ratio) })
                : t('quiz.failed', { percent: f.percent(result.ratio) })}
            </Title>
            {result.hearts && !result.passed && <HeartsMeter hearts={{ enabled: true, ...result.hearts }} />}
            {!result.answers_revealed && (
              <Text size="sm" data-testid="answers-withheld">
                {result.reveal_answers === 'never' ? t('quiz.answers_never') : t('quiz.answers_after_pass')}
              </Text>
            )}
            {result.passed ? (
              <Button onClick={onPassed}>{t('player.continue')}</Button>
            ) : (
              <Button
                variant="light"
                loading={sending}
                onClick={async () => {
                  setSending(true)
                  try {
                    await onRetry()
                  } finally {
                    setSending(false)
                    setResult(null)
                    setAnswers(empty())
                  }
                }}
              >
                {t('quiz.retry')}
              </Button>
            )}
          </Stack>
        </Paper>
      )}
    </Stack>
  )
}
