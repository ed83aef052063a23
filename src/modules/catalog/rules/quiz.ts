// Native quiz questions: their shape, grading on the server, what a student may see before answering, and
// what the feedback on an attempt may tell them.

const questionTypes = ['single_choice', 'multiple_choice', 'true_false', 'short_text', 'number'] as const
type QuestionType = (typeof questionTypes)[number]

type Base = {
  id: string
  prompt: string
  points: number
  skills: string[]
  /** Shown with the answer once the answers are revealed: it may give the answer away. */
  explanation?: string
  /** Shown after a wrong answer at any time: the teacher writes it so that it does not give the answer away. */
  hint?: string
}
type Choice = { id: string; text: string }

export type Question =
  | (Base & { type: 'single_choice'; choices: Choice[]; answer: string })
  | (Base & { type: 'multiple_choice'; choices: Choice[]; answer: string[] })
  | (Base & { type: 'true_false'; answer: boolean })
  | (Base & { type: 'short_text'; answer: string[] })
  | (Base & { type: 'number'; answer: number; tolerance: number })

/** When a student sees the answer key of a quiz: once they pass it (the default), or never. */
export const revealModes = ['after_pass', 'never'] as const
export type RevealAnswers = (typeof revealModes)[number]

/** How the player shows a native quiz: every question on one page (the default), or one at a time. */
export const questionDisplays = ['all', 'one_at_a_time'] as const
export type QuestionDisplay = (typeof questionDisplays)[number]

export type QuestionResult = {
  question_id: string
  correct: boolean
  points: number
  points_awarded: number
}

export type QuizGrade = { score: number; max_score: number; ratio: number; results: QuestionResult[] }

/** Case, accents and spacing do not matter in short text answers: "Éléphant " matches "elephant". */
export function normaliseText(value: string): string {
  return value
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .trim()
    .replace(/\s+/g, ' ')
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value.trim().replace(',', '.'))
    return Number.isFinite(parsed) ? parsed : null
  }
  return null
}

function isCorrect(question: Question, given: unknown): boolean {
  switch (question.type) {
    case 'single_choice':
      return given === question.answer
    case 'multiple_choice': {
      if (!Array.isArray(given)) return false
      const chosen = new Set(given)
      return chosen.size === question.answer.length && question.answer.every((id) => chosen.has(id))
    }
    case 'true_false':
      return given === question.answer || (typeof given === 'string' && given === String(question.answer))
    case 'short_text':
      return (
        typeof given === 'string' && question.answer.some((a) => normaliseText(a) === normaliseText(given))
      )
    case 'number': {
      const n = toNumber(given)
      // Decimal inputs are not exact in binary: 3.13 is 0.0100000000000002 away from 3.14.
      return (
        n !== null && Math.abs(n - question.answer) <= question.tolerance + 1e-9 * Math.max(1, Math.abs(n))
      )
    }
  }
}

/** Grades answers keyed by question id. Unanswered questions score zero; a multiple choice is all or nothing. */
export function gradeQuiz(questions: Question[], answers: Record<string, unknown>): QuizGrade {
  const results = questions.map((q) => {
    const correct = isCorrect(q, answers[q.id])
    return {
      question_id: q.id,
      correct,
      points: q.points,
      points_awarded: correct ? q.points : 0,
    }
  })
  const score = results.reduce((sum, r) => sum + r.points_awarded, 0)
  const max = results.reduce((sum, r) => sum + r.points, 0)
  return { score, max_score: max, ratio: max === 0 ? 0 : score / max, results }
}

export type QuestionFeedback = QuestionResult & {
  /** Present only when the answers are revealed. */
  correct_answer?: Question['answer']
  /** Null until the answers are revealed (or when the question has none). */
  explanation: string | null
  /** The teacher's hint, for a wrong answer only. */
  hint: string | null
}

/**
 * What an attempt tells the student about each question. Whether each answer was right, and a hint for the
 * wrong ones, always; the answer key and the explanations (which may state the answer) only when `reveal`
 * is true — once the step is passed, and never for a quiz whose teacher chose "never".
 */
export function feedbackOf(
  questions: Question[],
  results: QuestionResult[],
  reveal: boolean,
): QuestionFeedback[] {
  return results.map((r) => {
    const q = questions.find((question) => question.id === r.question_id)
    const base = {
      question_id: r.question_id,
      correct: r.correct,
      points: r.points,
      points_awarded: r.points_awarded,
      hint: !r.correct ? (q?.hint ?? null) : null,
    }
    if (!reveal || !q) return { ...base, explanation: null }
    return { ...base, correct_answer: q.answer, explanation: q.explanation ?? null }
  })
}

/** Whether an attempt's feedback reveals the answer key: a passed attempt, unless the teacher said never. */
export function revealsAnswers(reveal: RevealAnswers, attemptPassed: boolean): boolean {
  return attemptPassed && reveal === 'after_pass'
}

export type StudentQuestion = Omit<Base, 'explanation' | 'hint'> & { type: QuestionType; choices?: Choice[] }

/** A generator of numbers in [0, 1) from a text seed: the same seed gives the same sequence everywhere. */
function seededRandom(seed: string): () => number {
  // cyrb53-style mixing of the seed, then mulberry32: small, fast, and well spread for a shuffle.
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < seed.length; i++) {
    const c = seed.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 2654435761)
    h2 = Math.imul(h2 ^ c, 1597334677)
  }
  let state = (Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)) >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j] as T, copy[i] as T]
  }
  return copy
}

type Arrangement = { order: string[]; choices: Record<string, string[]> }

function arrangementFor(questions: Question[], seed: string): Arrangement {
  const random = seededRandom(seed)
  const choices: Record<string, string[]> = {}
  for (const q of questions) {
    if (q.type === 'single_choice' || q.type === 'multiple_choice') {
      choices[q.id] = shuffled(
        q.choices.map((c) => c.id),
        random,
      )
    }
  }
  return {
    order: shuffled(
      questions.map((q) => q.id),
      random,
    ),
    choices,
  }
}

const rotated = (ids: string[]) => [...ids.slice(1), ...ids.slice(0, 1)]

/**
 * The order of questions and of their choices for one attempt, drawn from `seed` (student and step) and the
 * attempt number: a reload shows the same order, and each attempt differs from the one before whenever the
 * quiz can be arranged another way. Grading is by question and choice ids, so no order changes a score.
 */
export function arrangementOfAttempt(questions: Question[], seed: string, attempt: number): Arrangement {
  let shown = arrangementFor(questions, `${seed}:1`)
  for (let n = 2; n <= attempt; n++) {
    const next = arrangementFor(questions, `${seed}:${n}`)
    shown = JSON.stringify(next) === JSON.stringify(shown) ? rearranged(next) : next
  }
  return shown
}

/** Another arrangement than this one: the questions moved by one place, or else the choices of the first. */
function rearranged(arrangement: Arrangement): Arrangement {
  if (arrangement.order.length > 1) return { ...arrangement, order: rotated(arrangement.order) }
  const [first] = Object.keys(arrangement.choices)
  if (first === undefined) return arrangement
  return {
    ...arrangement,
    choices: { ...arrangement.choices, [first]: rotated(arrangement.choices[first] ?? []) },
  }
}

/**
 * The questions as a student sees them before submitting an attempt: no answer key, tolerance, explanation
 * or hint, in the order of `arrangementOfAttempt`.
 */
export function questionsForStudent(questions: Question[], seed: string, attempt: number): StudentQuestion[] {
  const { order, choices } = arrangementOfAttempt(questions, seed, attempt)
  return order.map((id) => {
    const q = questions.find((question) => question.id === id) as Question
    const view: StudentQuestion = {
      id: q.id,
      type: q.type,
      prompt: q.prompt,
      points: q.points,
      skills: q.skills,
    }
    if (q.type === 'single_choice' || q.type === 'multiple_choice') {
      view.choices = (choices[q.id] ?? []).map((c) => q.choices.find((choice) => choice.id === c) as Choice)
    }
    return view
  })
}
