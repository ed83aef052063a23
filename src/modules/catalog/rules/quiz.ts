// Native quiz questions: their shape, grading on the server, and what a student may see before answering.

export const questionTypes = [
  'single_choice',
  'multiple_choice',
  'true_false',
  'short_text',
  'number',
] as const
export type QuestionType = (typeof questionTypes)[number]

type Base = {
  id: string
  prompt: string
  points: number
  skills: string[]
  explanation?: string
}
export type Choice = { id: string; text: string }

export type Question =
  | (Base & { type: 'single_choice'; choices: Choice[]; answer: string })
  | (Base & { type: 'multiple_choice'; choices: Choice[]; answer: string[] })
  | (Base & { type: 'true_false'; answer: boolean })
  | (Base & { type: 'short_text'; answer: string[] })
  | (Base & { type: 'number'; answer: number; tolerance: number })

export type QuestionResult = {
  question_id: string
  correct: boolean
  points: number
  points_awarded: number
  correct_answer: Question['answer']
  explanation: string | null
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
      correct_answer: q.answer,
      explanation: q.explanation ?? null,
    }
  })
  const score = results.reduce((sum, r) => sum + r.points_awarded, 0)
  const max = results.reduce((sum, r) => sum + r.points, 0)
  return { score, max_score: max, ratio: max === 0 ? 0 : score / max, results }
}

export type StudentQuestion = Omit<Base, 'explanation'> & { type: QuestionType; choices?: Choice[] }

/** The questions as a student sees them before submitting: no answer key, no tolerance, no explanation. */
export function questionsForStudent(questions: Question[]): StudentQuestion[] {
  return questions.map((q) => {
    const view: StudentQuestion = {
      id: q.id,
      type: q.type,
      prompt: q.prompt,
      points: q.points,
      skills: q.skills,
    }
    if (q.type === 'single_choice' || q.type === 'multiple_choice') view.choices = q.choices
    return view
  })
}
