import type { Schemas } from '../../api/client.ts'

// A step as the editor holds it: every field a form input can show (numbers may be '' while typed), and the
// conversions to and from the API's shapes. The rules mirror src/modules/catalog/steps/schemas.ts, so a person
// sees what is wrong next to the field instead of a refusal from the server.

export type Step = Schemas['Class']
export type StepType = Step['step_type']
type Question = Schemas['QuizQuestion']
export type QuestionType = Question['type']
export type RevealAnswers = 'after_pass' | 'never'
export const revealModes: RevealAnswers[] = ['after_pass', 'never']
export type QuestionDisplay = 'all' | 'one_at_a_time'
export const questionDisplays: QuestionDisplay[] = ['all', 'one_at_a_time']

export const stepTypes: StepType[] = ['video', 'quiz', 'video_quiz', 'reading']
export const questionTypes: QuestionType[] = [
  'single_choice',
  'multiple_choice',
  'true_false',
  'short_text',
  'number',
]

/** What NumberInput gives back: a number, or '' (or a partial string) while the field is being typed. */
type NumberValue = number | string

export type ChoiceDraft = { id: string; text: string }

export type QuestionDraft = {
  id: string
  type: QuestionType
  prompt: string
  points: NumberValue
  skills: string[]
  explanation: string
  hint: string
  choices: ChoiceDraft[]
  /** The right choice of a single-choice question. */
  single: string | null
  /** The right choices of a multiple-choice question. */
  multiple: string[]
  truth: 'true' | 'false'
  /** Accepted answers of a short-text question. */
  accepted: string[]
  number: NumberValue
  tolerance: NumberValue
}

type TallyDraft = {
  form_id: string
  student_field: string
  class_field: string
  score_field: string
  max_score: NumberValue
  /** Write-only: blank keeps the secret already stored. */
  signing_secret: string
  secret_set: boolean
}

export type StepDraft = {
  name: string
  description: string
  step_type: StepType
  skills: string[]
  content_md: string
  video: {
    source: 'url' | 'stream'
    url: string
    uid: string
    duration_sec: NumberValue
    requires_signed_urls: boolean
  }
  quiz: {
    kind: 'native' | 'tally'
    /** The quiz's own pass threshold in percent; blank uses the course's. */
    pass_percent: NumberValue
    /** When students see the expected answers (native quizzes). */
    reveal_answers: RevealAnswers
    /** Whether the player shows the questions all at once or one at a time (native quizzes). */
    question_display: QuestionDisplay
    questions: QuestionDraft[]
    tally: TallyDraft
  }
}

export const needsVideo = (type: StepType) => type === 'video' || type === 'video_quiz'
export const needsQuiz = (type: StepType) => type === 'quiz' || type === 'video_quiz'

/** The first `prefix1`, `prefix2`, … that none of `taken` uses. */
function nextId(prefix: string, taken: string[]): string {
  for (let i = 1; ; i++) {
    const id = `${prefix}${i}`
    if (!taken.includes(id)) return id
  }
}

export function newChoice(choices: ChoiceDraft[]): ChoiceDraft {
  return {
    id: nextId(
      'c',
      choices.map((c) => c.id),
    ),
    text: '',
  }
}

export function newQuestion(questions: QuestionDraft[]): QuestionDraft {
  const first = newChoice([])
  return {
    id: nextId(
      'q',
      questions.map((q) => q.id),
    ),
    type: 'single_choice',
    prompt: '',
    points: 1,
    skills: [],
    explanation: '',
    hint: '',
    choices: [first, newChoice([first])],
    single: null,
    multiple: [],
    truth: 'true',
    accepted: [],
    number: '',
    tolerance: 0,
  }
}

function questionDraft(question: Question): QuestionDraft {
  const draft: QuestionDraft = {
    ...newQuestion([]),
    id: question.id,
    type: question.type,
    prompt: question.prompt,
    points: question.points ?? 1,
    skills: question.skills ?? [],
    explanation: question.explanation ?? '',
    hint: question.hint ?? '',
  }
  switch (question.type) {
    case 'single_choice':
      return { ...draft, choices: question.choices, single: question.answer }
    case 'multiple_choice':
      return { ...draft, choices: question.choices, multiple: question.answer }
    case 'true_false':
      return { ...draft, truth: question.answer ? 'true' : 'false' }
    case 'short_text':
      return { ...draft, accepted: question.answer }
    case 'number':
      return { ...draft, number: question.answer, tolerance: question.tolerance ?? 0 }
  }
}

/** The editor's values for an existing step, or for a new one (a reading, with one quiz question ready). */
export function stepDraft(step?: Step): StepDraft {
  const video = step?.video
  const quiz = step?.quiz
  const tally = quiz?.tally
  return {
    name: step?.name ?? '',
    description: step?.description ?? '',
    step_type: step?.step_type ?? 'reading',
    skills: step?.skills ?? [],
    content_md: step?.content_md ?? '',
    video: {
      source: video?.source ?? 'url',
      url: video?.source === 'url' ? video.url : '',
      uid: video?.source === 'stream' ? video.uid : '',
      duration_sec: video?.duration_sec ?? '',
      requires_signed_urls: video?.source === 'stream' ? (video.requires_signed_urls ?? false) : false,
    },
    quiz: {
      kind: quiz?.kind ?? 'native',
      pass_percent: quiz?.pass_threshold == null ? '' : Math.round(quiz.pass_threshold * 100),
      reveal_answers: quiz?.reveal_answers ?? 'after_pass',
      question_display: quiz?.question_display ?? 'all',
      questions: quiz?.questions?.map(questionDraft) ?? (quiz ? [] : [newQuestion([])]),
      tally: {
        form_id: tally?.form_id ?? '',
        student_field: tally?.student_field ?? 'student_id',
        class_field: tally?.class_field ?? 'class_id',
        score_field: tally?.score_field ?? 'score',
        max_score: tally?.max_score ?? '',
        signing_secret: '',
        secret_set: tally?.signing_secret_set ?? false,
      },
    },
  }
}

const blankToNull = (text: string) => (text.trim() ? text : null)

function questionBody(draft: QuestionDraft): Question {
  const base = {
    id: draft.id,
    prompt: draft.prompt.trim(),
    points: Number(draft.points),
    skills: draft.skills,
    ...(draft.explanation.trim() ? { explanation: draft.explanation.trim() } : {}),
    ...(draft.hint.trim() ? { hint: draft.hint.trim() } : {}),
  }
  const choices = draft.choices.map((c) => ({ id: c.id, text: c.text.trim() }))
  switch (draft.type) {
    case 'single_choice':
      return { ...base, type: 'single_choice', choices, answer: draft.single ?? '' }
    case 'multiple_choice':
      return { ...base, type: 'multiple_choice', choices, answer: draft.multiple }
    case 'true_false':
      return { ...base, type: 'true_false', answer: draft.truth === 'true' }
    case 'short_text':
      return { ...base, type: 'short_text', answer: draft.accepted.map((a) => a.trim()).filter(Boolean) }
    case 'number':
      return {
        ...base,
        type: 'number',
        answer: Number(draft.number),
        tolerance: Number(draft.tolerance) || 0,
      }
  }
}

function quizBody(draft: StepDraft['quiz']): NonNullable<Schemas['QuizInput']> {
  const pass = draft.pass_percent === '' ? {} : { pass_threshold: Number(draft.pass_percent) / 100 }
  if (draft.kind === 'native') {
    return {
      ...pass,
      reveal_answers: draft.reveal_answers,
      question_display: draft.question_display,
      questions: draft.questions.map(questionBody),
    }
  }
  const tally = draft.tally
  return {
    ...pass,
    tally: {
      form_id: tally.form_id.trim(),
      student_field: tally.student_field.trim(),
      class_field: tally.class_field.trim(),
      score_field: tally.score_field.trim(),
      max_score: Number(tally.max_score),
      ...(tally.signing_secret ? { signing_secret: tally.signing_secret } : {}),
    },
  }
}

function videoBody(draft: StepDraft['video']): Schemas['Video'] {
  const duration = Number(draft.duration_sec)
  return draft.source === 'url'
    ? { source: 'url', url: draft.url.trim(), duration_sec: duration }
    : {
        source: 'stream',
        uid: draft.uid.trim().toLowerCase(),
        duration_sec: duration,
        requires_signed_urls: draft.requires_signed_urls,
      }
}

/** The body of POST and PATCH /api/lms/classes: what the step type does not use is cleared. */
export function stepBody(draft: StepDraft): Schemas['UpdateClass'] & { name: string; step_type: StepType } {
  return {
    name: draft.name.trim(),
    description: blankToNull(draft.description),
    step_type: draft.step_type,
    skills: draft.skills,
    content_md: draft.step_type === 'reading' ? blankToNull(draft.content_md) : null,
    video: needsVideo(draft.step_type) ? videoBody(draft.video) : null,
    quiz: needsQuiz(draft.step_type) ? quizBody(draft.quiz) : null,
  }
}

const isNumber = (value: NumberValue) => value !== '' && Number.isFinite(Number(value))
const STREAM_UID = /^[a-f0-9]{32}$/i

/** Whether a video address is one the server takes: http(s), or a path Sillon serves. */
function isVideoUrl(url: string) {
  if (/^\/[^/]/.test(url)) return true
  return URL.canParse(url) && /^https?:$/.test(new URL(url).protocol)
}

function questionErrors(q: QuestionDraft, path: string): Record<string, string> {
  const errors: Record<string, string> = {}
  if (!q.prompt.trim()) errors[`${path}.prompt`] = 'builder.invalid.prompt'
  if (!isNumber(q.points) || Number(q.points) <= 0) errors[`${path}.points`] = 'builder.invalid.points'
  if (q.type === 'single_choice' || q.type === 'multiple_choice') {
    q.choices.forEach((c, i) => {
      if (!c.text.trim()) errors[`${path}.choices.${i}.text`] = 'builder.invalid.choice'
    })
    const ids = q.choices.map((c) => c.id)
    if (q.type === 'single_choice' && !(q.single && ids.includes(q.single))) {
      errors[`${path}.single`] = 'builder.invalid.single'
    }
    if (q.type === 'multiple_choice' && !q.multiple.some((id) => ids.includes(id))) {
      errors[`${path}.multiple`] = 'builder.invalid.multiple'
    }
  }
  if (q.type === 'short_text' && !q.accepted.some((a) => a.trim())) {
    errors[`${path}.accepted`] = 'builder.invalid.accepted'
  }
  if (q.type === 'number') {
    if (!isNumber(q.number)) errors[`${path}.number`] = 'builder.invalid.number'
    if (q.tolerance !== '' && (!isNumber(q.tolerance) || Number(q.tolerance) < 0)) {
      errors[`${path}.tolerance`] = 'builder.invalid.tolerance'
    }
  }
  return errors
}

function videoErrors(video: StepDraft['video']): Record<string, string> {
  const errors: Record<string, string> = {}
  if (video.source === 'url' && !isVideoUrl(video.url.trim()))
    errors['video.url'] = 'builder.invalid.video_url'
  if (video.source === 'stream' && !STREAM_UID.test(video.uid.trim())) {
    errors['video.uid'] = 'builder.invalid.stream_uid'
  }
  const duration = Number(video.duration_sec)
  if (!isNumber(video.duration_sec) || duration <= 0 || duration > 86400) {
    errors['video.duration_sec'] = 'builder.invalid.duration'
  }
  return errors
}

function quizErrors(quiz: StepDraft['quiz']): Record<string, string> {
  const errors: Record<string, string> = {}
  const pass = Number(quiz.pass_percent)
  if (quiz.pass_percent !== '' && (!isNumber(quiz.pass_percent) || pass < 0 || pass > 100)) {
    errors['quiz.pass_percent'] = 'builder.invalid.percent'
  }
  if (quiz.kind === 'native') {
    quiz.questions.forEach((q, i) => {
      Object.assign(errors, questionErrors(q, `quiz.questions.${i}`))
    })
    return errors
  }
  const tally = quiz.tally
  for (const field of ['form_id', 'student_field', 'class_field', 'score_field'] as const) {
    if (!tally[field].trim()) errors[`quiz.tally.${field}`] = 'builder.invalid.required'
  }
  if (!isNumber(tally.max_score) || Number(tally.max_score) <= 0) {
    errors['quiz.tally.max_score'] = 'builder.invalid.max_score'
  }
  if (tally.signing_secret && tally.signing_secret.length < 8) {
    errors['quiz.tally.signing_secret'] = 'builder.invalid.secret'
  }
  return errors
}

/** What is wrong with a step, as translation keys by field path (the paths of the form's values). */
export function stepErrors(draft: StepDraft): Record<string, string> {
  const errors: Record<string, string> = {}
  if (!draft.name.trim()) errors.name = 'builder.invalid.name'
  if (needsVideo(draft.step_type)) Object.assign(errors, videoErrors(draft.video))
  if (needsQuiz(draft.step_type)) Object.assign(errors, quizErrors(draft.quiz))
  return errors
}
