import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import {
  browserAvailable,
  openPage,
  overflowsSideways,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'

// The demo instructor builds a course from nothing in a real browser against the real server: a reading and
// a native quiz, put in another order from the keyboard, a handout file, the team "Seconde A", published;
// the API then holds what the page showed, and Léa finds the course on her dashboard.

const COURSE = 'Les volcans'
const READING = 'Lire : les volcans actifs'
const QUIZ = 'Quiz : les volcans'

/** The names of the steps as the builder lists them, top to bottom. */
async function listedSteps(page: Page) {
  return page.getByTestId('step-name').allTextContents()
}

async function saveStep(dialog: Locator) {
  await dialog.getByRole('button', { name: 'Enregistrer' }).click()
  await dialog.waitFor({ state: 'hidden' })
}

describe.skipIf(!browserAvailable)('an instructor in the browser', () => {
  const e2e = useDemoSchoolInBrowser()

  it('builds, orders, enrols and publishes a course that its students then see', async () => {
    const { page, context, errors } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'prof@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mes cours' }).waitFor()
    await page.getByRole('button', { name: 'Nouveau cours' }).click()
    await page.getByLabel('Titre du cours').fill(COURSE)
    await page.getByRole('button', { name: 'Créer' }).click()
    await page.getByRole('heading', { level: 1, name: COURSE }).waitFor()
    const courseId = new URL(page.url()).pathname.split('/').pop() ?? ''
    expect(await page.getByTestId('course-status').textContent()).toBe('Brouillon')
    expect(await seriousViolations(page)).toEqual([])

    // An empty course cannot be published, and the page says why.
    await page.getByRole('tab', { name: 'Publication' }).click()
    await expect.poll(() => page.url()).toBe(`${e2e.server.url}/teach/courses/${courseId}/publish`)
    await page.getByRole('button', { name: 'Publier' }).click()
    await page.getByTestId('publish-problems').getByText('Un cours a besoin d’au moins une étape.').waitFor()

    // A reading step.
    await page.getByRole('tab', { name: /^Étapes/ }).click()
    await page.getByRole('button', { name: 'Ajouter une étape' }).click()
    let dialog = page.getByRole('dialog', { name: 'Nouvelle étape' })
    await dialog.getByLabel('Type d’étape').selectOption('reading')
    await dialog.getByLabel('Titre de l’étape').fill(READING)
    await dialog
      .getByLabel('Texte à lire')
      .fill('# Les volcans actifs\n\nLe Piton de la Fournaise est en France.')
    await saveStep(dialog)

    // A native quiz with one single-choice question; the form refuses it until the right answer is ticked.
    await page.getByRole('button', { name: 'Ajouter une étape' }).click()
    dialog = page.getByRole('dialog', { name: 'Nouvelle étape' })
    await dialog.getByLabel('Type d’étape').selectOption('quiz')
    await dialog.getByLabel('Titre de l’étape').fill(QUIZ)
    const question = dialog.getByRole('group', { name: 'Question 1' })
    await question.getByLabel('Énoncé').fill('Quel volcan se trouve en France ?')
    await question.getByRole('textbox', { name: 'Choix 1' }).fill('Le Piton de la Fournaise')
    await question.getByRole('textbox', { name: 'Choix 2' }).fill('Le Vésuve')
    expect(await seriousViolations(page)).toEqual([])
    await dialog.getByRole('button', { name: 'Enregistrer' }).click()
    await dialog.getByText('Cochez la bonne réponse.').waitFor()
    await question.getByLabel('Le choix 1 est une bonne réponse').check()
    await saveStep(dialog)
    await expect.poll(() => listedSteps(page)).toEqual([READING, QUIZ])

    // The quiz goes first, from the keyboard: pick it up with Space, up one place, drop it with Space.
    await page.getByRole('button', { name: `Déplacer « ${QUIZ} »` }).focus()
    // Each key waits for what a screen reader hears: arrows only count once the step is picked up.
    const heard = (text: string) => page.getByText(text).waitFor({ state: 'attached' })
    await page.keyboard.press('Space')
    await heard(`Étape « ${QUIZ} » saisie, position 2 sur 2.`)
    await page.keyboard.press('ArrowUp')
    await heard(`Étape « ${QUIZ} » en position 1 sur 2.`)
    await page.keyboard.press('Space')
    await heard(`Étape « ${QUIZ} » posée en position 1 sur 2.`)
    await expect.poll(() => listedSteps(page)).toEqual([QUIZ, READING])
    // And the buttons move it back and forth.
    await page.getByRole('button', { name: `Descendre « ${QUIZ} »` }).click()
    await expect.poll(() => listedSteps(page)).toEqual([READING, QUIZ])
    await page.getByRole('button', { name: `Monter « ${QUIZ} »` }).click()
    await expect.poll(() => listedSteps(page)).toEqual([QUIZ, READING])

    // A file in the handout, open from the start, sent as a multipart upload.
    await page.getByRole('tab', { name: 'Fiche' }).click()
    await page.getByRole('button', { name: 'Ajouter une ressource' }).click()
    dialog = page.getByRole('dialog', { name: 'Nouvelle ressource' })
    await dialog.getByRole('radio', { name: 'Fichier' }).check()
    await dialog.locator('input[type="file"]').setInputFiles({
      name: 'volcans.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Piton de la Fournaise, Etna, Vésuve.\n'),
    })
    await dialog.getByLabel('Disponible à l’avance').check()
    await dialog.getByRole('button', { name: 'Ajouter une ressource' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByTestId('kms-resource').getByText('volcans.txt').first().waitFor()

    // The class "Seconde A".
    await page.getByRole('tab', { name: /^Inscriptions/ }).click()
    await page.getByRole('combobox', { name: 'Classes et groupes' }).click()
    await page.getByRole('option', { name: 'Seconde A' }).click()
    await page.getByRole('button', { name: 'Enregistrer les inscriptions' }).click()
    await expect.poll(() => page.getByTestId('enrolled-count').textContent()).toBe('2 élèves inscrits')

    // The step modal and the whole page on a 375 px phone, before publishing (drag handles and all).
    const phone = await openPage(e2e.browser, { width: 375, height: 740 })
    await phone.context.addCookies(await context.cookies())
    await phone.page.goto(`${e2e.server.url}/teach/courses/${courseId}/steps`)
    await phone.page.getByTestId('builder-step').first().waitFor()
    expect(await overflowsSideways(phone.page)).toBe(false)
    await phone.page.getByRole('button', { name: `Modifier « ${QUIZ} »` }).click()
    await phone.page.getByRole('dialog', { name: 'Modifier l’étape' }).getByLabel('Énoncé').waitFor()
    expect(await overflowsSideways(phone.page)).toBe(false)
    expect(await seriousViolations(phone.page)).toEqual([])
    expect(phone.errors).toEqual([])
    await phone.context.close()

    await page.getByRole('tab', { name: 'Publication' }).click()
    await page.getByTestId('publish-checklist').getByText('2 élèves inscrits').waitFor()
    await page.getByRole('button', { name: 'Publier' }).click()
    await expect.poll(() => page.getByTestId('course-status').textContent()).toBe('Publié')
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])

    // What the API now holds, with the instructor's session.
    const course = await (await context.request.get(`${e2e.server.url}/api/lms/courses/${courseId}`)).json()
    expect(course.status).toBe('published')
    const teams = await (await context.request.get(`${e2e.server.url}/api/teams`)).json()
    const secondeA = teams.find((team: { name: string }) => team.name === 'Seconde A')
    expect(course.team_ids).toEqual([secondeA.id])
    const steps = await (
      await context.request.get(`${e2e.server.url}/api/lms/classes?course_id=${courseId}&limit=10`)
    ).json()
    expect(steps.map((s: { name: string; step_type: string }) => [s.name, s.step_type])).toEqual([
      [QUIZ, 'quiz'],
      [READING, 'reading'],
    ])
    expect(steps[0].quiz.questions).toEqual([
      expect.objectContaining({
        type: 'single_choice',
        prompt: 'Quel volcan se trouve en France ?',
        answer: steps[0].quiz.questions[0].choices[0].id,
      }),
    ])
    const kms = await (await context.request.get(`${e2e.server.url}/api/courses/${courseId}/kms`)).json()
    expect(kms.data).toEqual([
      expect.objectContaining({ type: 'file', title: 'volcans.txt', available_in_advance: true }),
    ])
    await context.close()

    // Léa, in "Seconde A", finds it on her dashboard.
    const lea = await openPage(e2e.browser)
    await signIn(lea.page, e2e.server.url, 'lea@demo.sillon.test')
    await lea.page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    await lea.page.getByTestId('course-card').filter({ hasText: COURSE }).waitFor()
    await lea.context.close()
  }, 180_000)

  it('says up front which steps students reached, and a late refusal shows inside the delete dialog', async () => {
    const { page, context, errors } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'prof@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mes cours' }).waitFor()
    const courses = await (await context.request.get(`${e2e.server.url}/api/lms/courses`)).json()
    const demo = courses.find((c: { name: string }) => c.name === 'Découvrir le système solaire')
    const steps = await (
      await context.request.get(`${e2e.server.url}/api/lms/classes?course_id=${demo.id}`)
    ).json()
    const [welcome] = steps as { id: string; name: string }[]
    await page.goto(`${e2e.server.url}/teach/courses/${demo.id}/steps`)
    const row = (name: string) => page.getByTestId('builder-step').filter({ hasText: name })
    await row('Fiche de synthèse').waitFor()
    expect(await page.getByTestId('step-reached').count()).toBe(0)

    // Each step's dialog says what goes with it: a reading its text, a video-only step no quiz.
    await page.getByRole('button', { name: 'Supprimer « Fiche de synthèse »' }).click()
    let dialog = page.getByRole('dialog', { name: 'Supprimer l’étape ?' })
    await dialog
      .getByText('L’étape de lecture « Fiche de synthèse » et son texte seront supprimés.')
      .waitFor()
    await dialog.getByRole('button', { name: 'Annuler' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await page.getByRole('button', { name: 'Supprimer « Bienvenue dans le système solaire »' }).click()
    dialog = page.getByRole('dialog', { name: 'Supprimer l’étape ?' })
    await dialog.getByText('L’étape vidéo « Bienvenue dans le système solaire » sera supprimée.').waitFor()
    expect(await dialog.textContent()).not.toMatch(/quiz/i)

    // Léa starts the first step while the dialog is open: the refusal comes inside it, where the eyes are.
    const lea = await openPage(e2e.browser)
    await signIn(lea.page, e2e.server.url, 'lea@demo.sillon.test')
    await lea.page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    const ping = await lea.context.request.post(`${e2e.server.url}/api/video-event`, {
      data: { class_id: welcome?.id, position: 0, event_id: crypto.randomUUID() },
    })
    expect(ping.status()).toBe(200)
    await lea.context.close()
    await dialog.getByRole('button', { name: 'Supprimer' }).click()
    await dialog
      .getByRole('alert')
      .getByText('Des élèves viennent d’atteindre cette étape : elle ne peut plus être supprimée.')
      .waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await dialog.getByRole('button', { name: 'Fermer' }).first().click()
    await dialog.waitFor({ state: 'hidden' })

    // From then on, and after a reload, the step says so and its delete button does nothing but explain.
    await page.reload()
    await row('Bienvenue dans le système solaire').getByTestId('step-reached').waitFor()
    expect(await page.getByTestId('step-reached').allTextContents()).toEqual([
      'Des élèves ont atteint cette étape : elle ne peut plus être supprimée.',
    ])
    const locked = page.getByRole('button', { name: 'Supprimer « Bienvenue dans le système solaire »' })
    expect(await locked.getAttribute('aria-disabled')).toBe('true')
    await locked.hover()
    await page
      .getByRole('tooltip')
      .getByText('Des élèves ont déjà atteint cette étape : vous pouvez la corriger, mais plus la supprimer.')
      .waitFor()
    await locked.focus()
    await page.keyboard.press('Enter')
    expect(await page.getByRole('dialog').count()).toBe(0)
    expect(
      await page
        .getByRole('button', { name: "Supprimer « Les planètes, dans l'ordre »" })
        .getAttribute('aria-disabled'),
    ).toBeNull()
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 90_000)

  it('shows each course with all its actions within a phone’s width', async () => {
    const { page, context, errors } = await openPage(e2e.browser, { width: 375, height: 740 })
    await signIn(page, e2e.server.url, 'prof@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mes cours' }).waitFor()
    const card = page
      .getByTestId('course-cards')
      .getByRole('listitem')
      .filter({ hasText: 'Découvrir le système solaire' })
    for (const name of ['Modifier', 'Suivi', 'Exporter']) {
      const box = await card.getByRole(name === 'Exporter' ? 'button' : 'link', { name }).boundingBox()
      expect(box && box.x >= 0 && box.x + box.width <= 375, name).toBe(true)
    }
    expect(await overflowsSideways(page)).toBe(false)
    expect(await seriousViolations(page)).toEqual([])
    await card.getByRole('link', { name: 'Suivi' }).click()
    await page.getByTestId('funnel').waitFor()
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it('previews each step as a student sees it, without the answers and without recording anything', async () => {
    const { page, context, errors } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'prof@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mes cours' }).waitFor()
    const courses = await (await context.request.get(`${e2e.server.url}/api/lms/courses`)).json()
    const demo = courses.find((c: { name: string }) => c.name === 'Découvrir le système solaire')
    // What the course's analytics say of its students, without the time they were computed at.
    const analytics = async () => {
      const { generated_at, ...rest } = await (
        await context.request.get(`${e2e.server.url}/api/courses/${demo.id}/analytics`)
      ).json()
      return rest
    }
    const before = await analytics()
    await page.goto(`${e2e.server.url}/teach/courses/${demo.id}`)
    await page.getByRole('link', { name: 'Aperçu élève' }).click()
    await page.getByTestId('preview-notice').waitFor()
    await page
      .getByTestId('preview-step')
      .getByRole('heading', { name: 'Bienvenue dans le système solaire' })
      .waitFor()
    await page.getByTestId('video').waitFor()
    expect(await seriousViolations(page)).toEqual([])

    // The quiz: its questions and choices, no sign of the expected answer, no way to send.
    await page.getByRole('link', { name: 'Étape suivante' }).click()
    const quiz = page.getByTestId('preview-quiz')
    await quiz.waitFor()
    const quizStep = (
      await (await context.request.get(`${e2e.server.url}/api/lms/classes?course_id=${demo.id}`)).json()
    )[1]
    const first = quizStep.quiz.questions[0]
    await quiz.getByText(first.prompt, { exact: false }).waitFor()
    for (const question of quizStep.quiz.questions) {
      if (question.explanation) expect(await quiz.getByText(question.explanation).count()).toBe(0)
    }
    expect(await quiz.getByRole('button', { name: 'Valider mes réponses' }).isDisabled()).toBe(true)
    expect(await seriousViolations(page)).toEqual([])

    // The reading, from the path: its text, and no acknowledgement to send.
    await page
      .getByRole('navigation', { name: 'Parcours' })
      .getByRole('link', { name: /Fiche de synthèse/ })
      .click()
    await page.getByTestId('preview-step').getByRole('heading', { name: 'Fiche de synthèse' }).waitFor()
    expect(await page.getByRole('button', { name: 'J’ai lu' }).isDisabled()).toBe(true)
    expect(await analytics()).toEqual(before)

    const phone = await openPage(e2e.browser, { width: 375, height: 740 })
    await phone.context.addCookies(await context.cookies())
    await phone.page.goto(page.url())
    await phone.page.getByTestId('preview-step').waitFor()
    expect(await overflowsSideways(phone.page)).toBe(false)
    expect(await seriousViolations(phone.page)).toEqual([])
    await phone.context.close()
    expect(errors).toEqual([])
    await context.close()
  }, 90_000)
})
