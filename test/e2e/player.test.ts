import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  browserAvailable,
  openPage,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'
import { runToExit } from '../helpers/processes.ts'

// The player and the quiz as students of the demo school meet them on courses their teacher builds for the
// test: what a quiz asks before the first attempt, answers kept across a reload, a failed attempt's own
// answers marked, a quiz shown one question at a time, and a video that resumes where the credit stops.

const PASSWORD = 'violet-harbour-lantern'

const choiceQuestion = {
  id: 'red',
  type: 'single_choice',
  prompt: 'Quelle planète est rouge ?',
  choices: [
    { id: 'mars', text: 'Mars' },
    { id: 'venus', text: 'Vénus' },
    { id: 'saturn', text: 'Saturne' },
  ],
  answer: 'mars',
}
const textQuestion = {
  id: 'name',
  type: 'short_text',
  prompt:
    'Comment s’appelle la sonde qui a survolé Pluton en 2015 et envoyé les premières images de près de sa surface glacée ?',
  answer: ['New Horizons'],
}
const numberQuestion = {
  id: 'moons',
  type: 'number',
  prompt: 'Combien de lunes tournent autour de la planète Mars, en comptant Phobos et Déimos ensemble ?',
  answer: 2,
  tolerance: 0,
}

describe.skipIf(!browserAvailable)('the course player in the browser', () => {
  const e2e = useDemoSchoolInBrowser()
  let teacher: BrowserContext

  beforeAll(async () => {
    const prof = await openPage(e2e.browser)
    await signIn(prof.page, e2e.server.url, 'prof@demo.sillon.test')
    await prof.page.waitForURL((url) => !url.pathname.endsWith('/signin'), { timeout: 15_000 })
    teacher = prof.context
  }, 60_000)

  /** A new student of the demo school, signed in in their own browser context, and their student id. */
  async function newStudent(name: string, scheme: 'light' | 'dark' = 'light') {
    const email = `${name.toLowerCase()}.${crypto.randomUUID().slice(0, 6)}@example.org`
    const created = await runToExit(
      [
        ...['bin/sillon.js', 'user', 'create', '--org', 'demo', '--email', email, '--role', 'student'],
        ...['--name', name, '--password', PASSWORD],
      ],
      { DATA_DIR: e2e.dataDir, SEED_DEMO: 'false' },
      30_000,
    )
    expect(created.code, created.stderr).toBe(0)
    const { page, context, errors } = await openPage(e2e.browser, { colorScheme: scheme })
    await signIn(page, e2e.server.url, email, PASSWORD)
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    const me = await (await context.request.get(`${e2e.server.url}/api/auth/me`)).json()
    return { page, context, errors, studentId: me.student_id as string }
  }

  /** A published course of one step, built by the demo teacher through the API, for these students. */
  async function course(studentIds: string[], step: object, settings: object = {}) {
    const api = teacher.request
    const created = await api.post(`${e2e.server.url}/api/lms/courses`, {
      data: { name: `Essai ${crypto.randomUUID().slice(0, 4)}`, student_ids: studentIds, ...settings },
    })
    expect(created.status(), await created.text()).toBe(201)
    const { id } = await created.json()
    const added = await api.post(`${e2e.server.url}/api/lms/classes`, {
      data: { course_id: id, name: 'Étape', ...step },
    })
    expect(added.status(), await added.text()).toBe(201)
    expect((await api.post(`${e2e.server.url}/api/courses/${id}/publish`)).status()).toBe(200)
    return { id: id as string, classId: (await added.json()).id as string }
  }

  async function open(page: Page, courseId: string) {
    await page.goto(`${e2e.server.url}/courses/${courseId}`)
    await page.getByRole('heading', { name: 'Étape' }).waitFor()
  }

  it('shows the score needed (the course default) and the hearts before the first attempt, keeps the answers across a reload, and marks a failed attempt’s own answers', async () => {
    const nina = await newStudent('Nina')
    const { id } = await course(
      [nina.studentId],
      { step_type: 'quiz', quiz: { questions: [choiceQuestion, textQuestion, numberQuestion] } },
      { quiz_pass_threshold: 0.7 },
    )
    const { page } = nina
    await open(page, id)
    const intro = page.getByTestId('quiz-intro')
    expect(await intro.getByTestId('quiz-threshold').textContent()).toMatch(/Il faut 70\s%/)
    expect(await intro.getByRole('img').getAttribute('aria-label')).toBe('5 cœurs sur 5')
    expect(await seriousViolations(page)).toEqual([])

    // A short answer's prompt keeps the card's width: it is not wrapped to the narrow input.
    const text = page.getByLabel(/sonde qui a survolé Pluton/)
    const label = page.getByText(/sonde qui a survolé Pluton/)
    const [inputBox, labelBox] = [await text.boundingBox(), await label.boundingBox()]
    expect(labelBox?.width).toBeGreaterThan((inputBox?.width ?? 0) + 100)
    const numberInput = await page.getByLabel(/Combien de lunes/).boundingBox()
    const numberLabel = await page.getByText(/Combien de lunes/).boundingBox()
    expect(numberLabel?.width).toBeGreaterThan((numberInput?.width ?? 0) + 100)

    // The answers given so far survive a reload.
    await page.getByLabel('Vénus').check()
    await text.fill('Voyager')
    await page.reload()
    await page.getByRole('heading', { name: 'Étape' }).waitFor()
    expect(await page.getByLabel('Vénus').isChecked()).toBe(true)
    expect(await page.getByLabel(/sonde qui a survolé Pluton/).inputValue()).toBe('Voyager')
    await page.getByLabel(/Combien de lunes/).fill('2')
    await page.getByRole('button', { name: 'Valider mes réponses' }).click()
    await page
      .getByTestId('quiz-result')
      .getByText(/Quiz non validé/)
      .waitFor()

    // The student's own wrong answers are marked as theirs and wrong, the right ones as right; the choices
    // they did not pick say nothing, so the expected answer stays hidden.
    const wrong = page.getByTestId('own-answer-wrong')
    expect(await wrong.count()).toBe(2)
    expect(await wrong.filter({ hasText: 'Vénus' }).textContent()).toContain('Votre réponse, fausse')
    expect(await wrong.filter({ hasText: 'Voyager' }).textContent()).toContain('Votre réponse, fausse')
    expect(await page.getByTestId('own-answer-right').textContent()).toContain('Votre réponse, juste')
    expect(await page.getByText(/Réponse attendue/).count()).toBe(0)
    expect(await page.locator('input:disabled').count()).toBe(0)
    expect(await seriousViolations(page)).toEqual([])

    // The next attempt starts empty (its own draft); the answers of the last one are gone from the device.
    await page.getByRole('button', { name: 'Réessayer' }).click()
    await page.getByRole('button', { name: 'Valider mes réponses' }).waitFor()
    expect(await page.getByLabel('Vénus').isChecked()).toBe(false)
    expect(
      await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sillon.quiz-draft.'))),
    ).toEqual([])
    expect(nina.errors).toEqual([])
    await nina.context.close()
  }, 120_000)

  const rockyQuestion = {
    id: 'rocky',
    type: 'multiple_choice',
    prompt: 'Lesquelles sont des planètes rocheuses ?',
    choices: [
      { id: 'mercury', text: 'Mercure' },
      { id: 'venus', text: 'Vénus' },
      { id: 'jupiter', text: 'Jupiter' },
    ],
    answer: ['mercury', 'venus'],
  }

  it('names the expected answers as the language lists them: every expected choice, or any accepted text', async () => {
    const lou = await newStudent('Lou')
    const { id } = await course([lou.studentId], {
      step_type: 'quiz',
      quiz: {
        pass_threshold: 0.3,
        questions: [choiceQuestion, rockyQuestion, { ...textQuestion, answer: ['New Horizons', 'NH'] }],
      },
    })
    const { page } = lou
    await open(page, id)
    await page.getByRole('radio', { name: 'Mars' }).check()
    await page.getByRole('checkbox', { name: 'Mercure' }).check()
    await page.getByLabel(/sonde qui a survolé Pluton/).fill('Voyager')
    await page.getByRole('button', { name: 'Valider mes réponses' }).click()
    await page
      .getByTestId('quiz-result')
      .getByText(/Quiz réussi/)
      .waitFor()
    const expected = await page.getByText(/Réponse attendue/).allTextContents()
    expect(expected).toHaveLength(2)
    expect(expected.find((e) => e.includes('Mercure'))).toMatch(/\sMercure et Vénus$/)
    expect(expected.find((e) => e.includes('New Horizons'))).toMatch(/\sNew Horizons ou NH$/)
    expect(lou.errors).toEqual([])
    await lou.context.close()
  }, 120_000)

  it('keeps the title of a failed and of a passed quiz legible in dark mode', async () => {
    const zoe = await newStudent('Zoe', 'dark')
    const { id } = await course([zoe.studentId], {
      step_type: 'quiz',
      quiz: { pass_threshold: 0.5, questions: [choiceQuestion, rockyQuestion] },
    })
    const { page } = zoe
    await open(page, id)
    await page.getByRole('radio', { name: 'Vénus' }).check()
    await page.getByRole('checkbox', { name: 'Jupiter' }).check()
    await page.getByRole('button', { name: 'Valider mes réponses' }).click()
    await page
      .getByTestId('quiz-result')
      .getByText(/Quiz non validé/)
      .waitFor()
    expect(await seriousViolations(page)).toEqual([])
    const shots = process.env.SCREENSHOT_DIR
    if (shots) await page.getByTestId('quiz-result').screenshot({ path: join(shots, 'quiz-failed-dark.png') })

    await page.getByRole('button', { name: 'Réessayer' }).click()
    await page.getByRole('radio', { name: 'Mars' }).check()
    await page.getByRole('checkbox', { name: 'Mercure' }).check()
    await page.getByRole('button', { name: 'Valider mes réponses' }).click()
    await page
      .getByTestId('quiz-result')
      .getByText(/Quiz réussi/)
      .waitFor()
    expect(await seriousViolations(page)).toEqual([])
    if (shots) {
      // The reward card that announces the course's end would cover the result.
      await page.keyboard.press('Escape')
      await page.getByTestId('quiz-result').screenshot({ path: join(shots, 'quiz-passed-dark.png') })
    }
    expect(zoe.errors).toEqual([])
    await zoe.context.close()
  }, 120_000)

  it('shows a quiz one question at a time when the teacher chose it', async () => {
    const omar = await newStudent('Omar')
    const { id } = await course([omar.studentId], {
      step_type: 'quiz',
      quiz: {
        question_display: 'one_at_a_time',
        pass_threshold: 0.5,
        questions: [choiceQuestion, numberQuestion],
      },
    })
    const { page } = omar
    await open(page, id)
    expect(await page.getByTestId('quiz-threshold').textContent()).toMatch(/Il faut 50\s%/)
    // Each attempt draws its own order: whichever question comes first, it is alone on the page.
    const choice = page.getByLabel('Mars', { exact: true })
    const number = page.getByLabel(/Combien de lunes/)
    const answerShown = async () => {
      const shown = (await choice.count()) + (await number.count())
      expect(shown).toBe(1)
      if ((await choice.count()) === 1) await choice.check()
      else await number.fill('2')
    }
    expect(await page.getByTestId('question-position').textContent()).toBe('Question 1 sur 2')
    const next = page.getByRole('button', { name: 'Suivante' })
    expect(await next.isDisabled()).toBe(true)
    expect(await page.getByRole('button', { name: 'Valider mes réponses' }).count()).toBe(0)
    await answerShown()
    await next.click()
    expect(await page.getByTestId('question-position').textContent()).toBe('Question 2 sur 2')
    await answerShown()
    expect(await seriousViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Valider mes réponses' }).click()
    await page
      .getByTestId('quiz-result')
      .getByText(/Quiz réussi/)
      .waitFor()
    // Graded, every question shows again with its feedback.
    expect(await page.getByTestId('question-feedback').count()).toBe(2)
    await omar.context.close()
  }, 120_000)

  it('lets the teacher choose one question at a time in the quiz editor, and refuse video downloads in the course details', async () => {
    const api = teacher.request
    const created = await (
      await api.post(`${e2e.server.url}/api/lms/courses`, { data: { name: 'Brouillon du prof' } })
    ).json()
    const step = await (
      await api.post(`${e2e.server.url}/api/lms/classes`, {
        data: {
          course_id: created.id,
          name: 'Étape',
          step_type: 'quiz',
          quiz: { questions: [choiceQuestion] },
        },
      })
    ).json()
    const page = teacher.pages()[0] as Page
    await page.goto(`${e2e.server.url}/teach/courses/${created.id}/steps`)
    await page.getByRole('button', { name: 'Modifier « Étape »' }).click()
    const dialog = page.getByRole('dialog', { name: 'Modifier l’étape' })
    expect(await dialog.getByLabel('Toutes les questions sur la même page').isChecked()).toBe(true)
    await dialog.getByLabel('Une question à la fois (pratique sur téléphone)').check()
    expect(await seriousViolations(page)).toEqual([])
    await dialog.getByRole('button', { name: 'Enregistrer' }).click()
    await dialog.waitFor({ state: 'detached' })
    const saved = await (await api.get(`${e2e.server.url}/api/lms/classes/${step.id}`)).json()
    expect(saved.quiz.question_display).toBe('one_at_a_time')

    await page.goto(`${e2e.server.url}/teach/courses/${created.id}/details`)
    const download = page.getByRole('switch', { name: 'Permettre de télécharger les vidéos' })
    expect(await download.isChecked()).toBe(true)
    await download.uncheck()
    expect(await seriousViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await expect
      .poll(
        async () =>
          (await (await api.get(`${e2e.server.url}/api/lms/courses/${created.id}`)).json())
            .allow_video_download,
      )
      .toBe(false)
  }, 60_000)

  it('lets the teacher upload WebVTT captions for a video step, which the student’s player loads as a captions track', async () => {
    const rita = await newStudent('Rita')
    const api = teacher.request
    const created = await (
      await api.post(`${e2e.server.url}/api/lms/courses`, {
        data: { name: 'Avec sous-titres', student_ids: [rita.studentId] },
      })
    ).json()
    await api.post(`${e2e.server.url}/api/lms/classes`, {
      data: {
        course_id: created.id,
        name: 'Étape',
        step_type: 'video',
        video: { source: 'url', url: '/media/demo/systeme-solaire.mp4', duration_sec: 30 },
      },
    })
    const page = teacher.pages()[0] as Page
    await page.goto(`${e2e.server.url}/teach/courses/${created.id}/steps`)
    await page.getByRole('button', { name: 'Modifier « Étape »' }).click()
    const dialog = page.getByRole('dialog', { name: 'Modifier l’étape' })
    const editor = dialog.getByTestId('captions-editor')
    await editor.getByText('Aucun sous-titre pour l’instant.').waitFor()
    await editor.locator('input[type=file]').setInputFiles({
      name: 'fr.vtt',
      mimeType: 'text/vtt',
      buffer: Buffer.from('WEBVTT\n\n00:00.000 --> 00:10.000\nVoici le Soleil.\n'),
    })
    await editor.getByLabel('Langue').fill('fr')
    await editor.getByLabel('Nom dans le lecteur').fill('Français')
    expect(await seriousViolations(page)).toEqual([])
    await editor.getByRole('button', { name: 'Ajouter les sous-titres' }).click()
    await editor.getByRole('button', { name: 'Supprimer les sous-titres « Français »' }).waitFor()
    await dialog.getByRole('button', { name: 'Annuler' }).click()
    expect((await api.post(`${e2e.server.url}/api/courses/${created.id}/publish`)).status()).toBe(200)

    const cspViolations: string[] = []
    rita.page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text())
    })
    await open(rita.page, created.id)
    const video = rita.page.getByTestId('video')
    expect(await video.locator('track').getAttribute('label')).toBe('Français')
    expect(await video.locator('track').getAttribute('srclang')).toBe('fr')
    expect(await video.getAttribute('controlslist')).toBeNull()
    // Shown, the track loads from Sillon (text/vtt under the page's policy) and its cue is there.
    await video.evaluate((v: HTMLVideoElement) => {
      const track = v.textTracks[0]
      if (track) track.mode = 'showing'
    })
    await expect
      .poll(() =>
        video.evaluate(
          (v: HTMLVideoElement) => v.textTracks[0]?.cues?.[0] && (v.textTracks[0].cues[0] as VTTCue).text,
        ),
      )
      .toBe('Voici le Soleil.')
    expect(cspViolations).toEqual([])
    expect(await seriousViolations(rita.page)).toEqual([])
    await rita.context.close()
  }, 120_000)

  it('resumes the video at the credited position with the chosen speed after a reload, shows what is credited, warns offline, and offers no download when the course says so', async () => {
    const pia = await newStudent('Pia')
    const { id } = await course(
      [pia.studentId],
      {
        step_type: 'video',
        video: { source: 'url', url: '/media/demo/systeme-solaire.mp4', duration_sec: 30 },
      },
      { allow_video_download: false },
    )
    const { page, context } = pia
    await open(page, id)
    const video = page.getByTestId('video')
    expect(await video.getAttribute('controlslist')).toBe('nodownload')
    expect(
      await video.evaluate((v) => {
        const event = new MouseEvent('contextmenu', { bubbles: true, cancelable: true })
        v.dispatchEvent(event)
        return event.defaultPrevented
      }),
    ).toBe(true)
    expect(await page.getByTestId('video-credited').textContent()).toBe('Regardé et compté : 0:00 sur 0:30')

    await page.getByLabel('Vitesse de lecture').selectOption('2')
    await video.evaluate(async (v: HTMLVideoElement) => {
      v.muted = true
      await v.play()
    })
    await expect
      .poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 })
      .toBeGreaterThan(5)
    const paused = page.waitForResponse((r) => r.url().endsWith('/api/video-event') && r.ok())
    await video.evaluate((v: HTMLVideoElement) => v.pause())
    await paused
    await expect
      .poll(() => page.getByTestId('video-credited').textContent())
      .not.toBe('Regardé et compté : 0:00 sur 0:30')
    const credited = /(\d+):(\d+) sur/.exec((await page.getByTestId('video-credited').textContent()) ?? '')
    const creditedSec = Number(credited?.[1]) * 60 + Number(credited?.[2])
    expect(creditedSec).toBeGreaterThanOrEqual(1)

    await page.reload()
    await page.getByRole('heading', { name: 'Étape' }).waitFor()
    expect(await page.getByTestId('video-resume').textContent()).toMatch(
      new RegExp(`Reprise à 0:${String(creditedSec).padStart(2, '0')}`),
    )
    expect(await page.getByLabel('Vitesse de lecture').inputValue()).toBe('2')
    await expect
      .poll(() => video.evaluate((v: HTMLVideoElement) => [Math.floor(v.currentTime), v.playbackRate]))
      .toEqual([creditedSec, 2])
    expect(await seriousViolations(page)).toEqual([])

    await context.setOffline(true)
    await page.getByTestId('video-offline').waitFor()
    expect(await page.getByTestId('video-offline').textContent()).toMatch(/hors ligne/)
    await context.setOffline(false)
    await page.getByTestId('video-offline').waitFor({ state: 'detached' })
    expect(pia.errors).toEqual([])
    await context.close()
  }, 120_000)
})
