import { describe, expect, it } from 'vitest'
import { orderChangeRefusal, publishingProblems, type StepContent } from './steps.ts'

const step = (over: Partial<StepContent>): StepContent => ({
  id: 's',
  name: 'Step',
  step_type: 'reading',
  content_md: 'Read me',
  video: null,
  quiz: null,
  ...over,
})

describe('publishing a course', () => {
  it('needs at least one step', () => {
    expect(publishingProblems([])).toEqual([
      { class_id: null, code: 'no_steps', message: 'A course needs at least one step' },
    ])
  })

  it('needs every step complete for its type', () => {
    const problems = publishingProblems([
      step({ id: 'v', name: 'Intro', step_type: 'video' }),
      step({ id: 'q', name: 'Check', step_type: 'quiz' }),
      step({
        id: 'vq',
        name: 'Both',
        step_type: 'video_quiz',
        quiz: {
          kind: 'native',
          pass_threshold: null,
          reveal_answers: 'after_pass',
          question_display: 'all',
          questions: [],
        },
      }),
      step({ id: 'r', name: 'Text', step_type: 'reading', content_md: '  ' }),
    ])
    expect(problems).toEqual([
      { class_id: 'v', code: 'video_missing', message: 'Step "Intro" needs a video with its duration' },
      { class_id: 'q', code: 'quiz_missing', message: 'Step "Check" needs a quiz' },
      { class_id: 'vq', code: 'video_missing', message: 'Step "Both" needs a video with its duration' },
      { class_id: 'vq', code: 'quiz_without_questions', message: 'Step "Both" the quiz has no question' },
      { class_id: 'r', code: 'text_missing', message: 'Step "Text" needs the text to read' },
    ])
  })

  it('needs the signing secret of a Tally quiz', () => {
    const tally = {
      kind: 'tally' as const,
      pass_threshold: null,
      tally: { form_id: 'f', student_field: 's', class_field: 'c', score_field: 'x', max_score: 5 },
    }
    expect(publishingProblems([step({ id: 't', name: 'Tally', step_type: 'quiz', quiz: tally })])).toEqual([
      {
        class_id: 't',
        code: 'tally_secret_missing',
        message: `Step "Tally" needs the Tally form's signing secret, or its answers cannot be trusted`,
      },
    ])
  })

  it('accepts complete steps, including a Tally quiz', () => {
    const video = { source: 'url' as const, url: 'https://v.example/a.mp4', duration_sec: 60 }
    const tally = {
      kind: 'tally' as const,
      pass_threshold: null,
      tally: {
        form_id: 'wMq1',
        student_field: 'student_id',
        class_field: 'class_id',
        score_field: 'score',
        max_score: 10,
        signing_secret: 'tally-secret',
      },
    }
    expect(publishingProblems([step({ step_type: 'video_quiz', video, quiz: tally }), step({})])).toEqual([])
  })
})

describe('changing the order once students have started', () => {
  const before = ['a', 'b', 'c', 'd']

  it('allows any order while nobody has started', () => {
    expect(orderChangeRefusal(before, ['d', 'c', 'b', 'a'], 0)).toBeNull()
  })

  it('allows changes after the steps students have reached', () => {
    expect(orderChangeRefusal(before, ['a', 'b', 'd', 'c'], 2)).toBeNull()
    expect(orderChangeRefusal(before, ['a', 'b', 'c', 'd', 'e'], 4)).toBeNull()
  })

  it('refuses to move, insert before or remove a step students have reached', () => {
    expect(orderChangeRefusal(before, ['b', 'a', 'c', 'd'], 2)).toMatch(/first 2 step/)
    expect(orderChangeRefusal(before, ['a', 'x', 'b', 'c', 'd'], 2)).not.toBeNull()
    expect(orderChangeRefusal(before, ['a', 'c', 'd'], 2)).not.toBeNull()
  })
})
