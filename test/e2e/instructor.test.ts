import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  browserAvailable,
  launchBrowser,
  openPage,
  overflowsSideways,
  seriousViolations,
  signIn,
} from '../helpers/browser.ts'
import { freePort, killChildren, type RunningServer, startServer } from '../helpers/processes.ts'

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
  let server: RunningServer
  let browser: Browser
  let dataDir: string

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sillon-e2e-'))
    server = await startServer({ PORT: String(await freePort()), DATA_DIR: dataDir })
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    await killChildren()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('builds, orders, enrols and publishes a course that its students then see', async () => {
    const { page, context, errors } = await openPage(browser)
    await signIn(page, server.url, 'prof@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mes cours' }).waitFor()
    await page.getByRole('button', { name: 'Nouveau cours' }).click()
    await page.getByLabel('Titre du cours').fill(COURSE)
    await page.getByRole('button', { name: 'Créer' }).click()
    await page.getByRole('heading', { level: 1, name: COURSE }).waitFor()
    const courseId = new URL(page.url()).pathname.split('/').pop() ?? ''
    expect(await page.getByTestId('course-status').textContent()).toBe('Brouillon')
    expect(await seriousViolations(page)).toEqual([])

    // An empty course cannot be published, and the page says why.
    await page.getByRole('button', { name: 'Publier' }).click()
    await page.getByTestId('publish-problems').getByText('Un cours a besoin d’au moins une étape.').waitFor()

    // A reading step.
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
    await page.getByRole('combobox', { name: 'Classes et groupes' }).click()
    await page.getByRole('option', { name: 'Seconde A' }).click()
    await page.keyboard.press('Escape')
    await page.getByRole('button', { name: 'Enregistrer les inscriptions' }).click()
    await expect.poll(() => page.getByTestId('enrolled-count').textContent()).toBe('2 élèves inscrits')

    // The step modal and the whole page on a 375 px phone, before publishing (drag handles and all).
    const phone = await openPage(browser, { width: 375, height: 740 })
    await phone.context.addCookies(await context.cookies())
    await phone.page.goto(`${server.url}/teach/courses/${courseId}`)
    await phone.page.getByTestId('builder-step').first().waitFor()
    expect(await overflowsSideways(phone.page)).toBe(false)
    await phone.page.getByRole('button', { name: `Modifier « ${QUIZ} »` }).click()
    await phone.page.getByRole('dialog', { name: 'Modifier l’étape' }).getByLabel('Énoncé').waitFor()
    expect(await overflowsSideways(phone.page)).toBe(false)
    expect(await seriousViolations(phone.page)).toEqual([])
    expect(phone.errors).toEqual([])
    await phone.context.close()

    await page.getByRole('button', { name: 'Publier' }).click()
    await expect.poll(() => page.getByTestId('course-status').textContent()).toBe('Publié')
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])

    // What the API now holds, with the instructor's session.
    const course = await (await context.request.get(`${server.url}/api/lms/courses/${courseId}`)).json()
    expect(course.status).toBe('published')
    const teams = await (await context.request.get(`${server.url}/api/teams`)).json()
    const secondeA = teams.find((team: { name: string }) => team.name === 'Seconde A')
    expect(course.team_ids).toEqual([secondeA.id])
    const steps = await (
      await context.request.get(`${server.url}/api/lms/classes?course_id=${courseId}&limit=10`)
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
    const kms = await (await context.request.get(`${server.url}/api/courses/${courseId}/kms`)).json()
    expect(kms.data).toEqual([
      expect.objectContaining({ type: 'file', title: 'volcans.txt', available_in_advance: true }),
    ])
    await context.close()

    // Léa, in "Seconde A", finds it on her dashboard.
    const lea = await openPage(browser)
    await signIn(lea.page, server.url, 'lea@demo.sillon.test')
    await lea.page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    await lea.page.getByTestId('course-card').filter({ hasText: COURSE }).waitFor()
    await lea.context.close()
  }, 180_000)
})
