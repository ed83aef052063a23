import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { Page } from 'playwright-core'
import * as tar from 'tar'
import { describe, expect, it } from 'vitest'
import {
  browserAvailable,
  openPage,
  overflowsSideways,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'

// The demo school's owner runs the school's settings in a real browser against the real server on a fresh
// database: an API token (its secret shown once), a webhook subscription, the gamification rules, a badge.

const OWNER = 'direction@demo.sillon.test'
const SHOTS = process.env.SCREENSHOT_DIR

async function signInAsOwner(page: Page, url: string) {
  page.setDefaultTimeout(20_000)
  await signIn(page, url, OWNER)
  await page.getByRole('navigation').waitFor()
}

describe.skipIf(!browserAvailable)('school settings in the browser', () => {
  const e2e = useDemoSchoolInBrowser({
    // The webhook test subscribes a loopback address, which only an operator's allow-list accepts.
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  })

  it('creates an API token whose secret shows once, then revokes it', async () => {
    const { page, context, errors } = await openPage(e2e.browser)
    await signInAsOwner(page, e2e.server.url)
    await page.goto(`${e2e.server.url}/admin/tokens`)
    await page.getByRole('heading', { name: 'Jetons d’API' }).waitFor()
    expect(await seriousViolations(page)).toEqual([])

    await page.getByRole('button', { name: 'Nouveau jeton' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel('Nom').fill('Synchro ENT')
    await dialog.getByLabel('Expire dans (jours)').fill('30')
    await dialog.getByRole('button', { name: 'Créer le jeton' }).click()
    const secret = await dialog.getByLabel('Jeton', { exact: true }).inputValue()
    expect(secret.length).toBeGreaterThan(20)
    await dialog.getByText('Copiez ce jeton maintenant').waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await dialog.getByRole('button', { name: 'J’ai copié le jeton' }).click()

    const row = page.getByRole('row', { name: /Synchro ENT/ })
    await row.waitFor()
    expect(await row.textContent()).toContain(OWNER)
    expect(await row.textContent()).toContain(secret.slice(0, 8))
    // The secret is nowhere on the page any more, and a new form does not bring it back.
    expect(await page.content()).not.toContain(secret)
    await page.getByRole('button', { name: 'Nouveau jeton' }).click()
    expect(await page.getByRole('dialog').getByLabel('Jeton', { exact: true }).count()).toBe(0)
    await page.getByRole('dialog').getByRole('button', { name: 'Fermer' }).click()

    // The token works until it is revoked.
    const me = () =>
      fetch(`${e2e.server.url}/api/auth/me`, { headers: { authorization: `Bearer ${secret}` } })
    expect((await me()).status).toBe(200)
    await row.getByRole('button', { name: /Révoquer/ }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Révoquer' }).click()
    await page.getByText('Aucun jeton actif.').waitFor()
    expect((await me()).status).toBe(401)
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it('subscribes a URL to events, sees its secret once and the subscription listed, and pauses it', async () => {
    const { page, context, errors } = await openPage(e2e.browser)
    await signInAsOwner(page, e2e.server.url)
    await page.goto(`${e2e.server.url}/admin/webhooks`)
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor()
    await page.getByText(/Aucun abonnement/).waitFor()
    expect(await seriousViolations(page)).toEqual([])

    await page.getByRole('button', { name: 'Nouvel abonnement' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel(/Adresse de réception/).fill('http://127.0.0.1:9/hook')
    await dialog.getByLabel('Un élève termine une étape').uncheck()
    expect(await seriousViolations(page)).toEqual([])
    await dialog.getByRole('button', { name: 'Créer l’abonnement' }).click()
    const secret = await dialog.getByLabel('Secret de signature').inputValue()
    expect(secret.length).toBeGreaterThan(20)
    await dialog.getByRole('button', { name: 'J’ai copié le secret' }).click()

    const card = page.getByTestId('webhook')
    await card.waitFor()
    expect(await card.textContent()).toContain('http://127.0.0.1:9/hook')
    expect(await card.textContent()).toContain('Un élève réussit un quiz')
    expect(await card.textContent()).not.toContain('Un élève termine une étape')
    expect(await page.content()).not.toContain(secret)

    await card.getByRole('switch', { name: /Actif/ }).uncheck({ force: true })
    await card.getByText('En pause').waitFor()
    await card.getByRole('button', { name: /Envois/ }).click()
    await page.getByText(/Aucun envoi pour l’instant/).waitFor()
    // Asked for reduced motion, the drawer opens at once: no fade to catch halfway.
    const drawer = await page
      .getByRole('dialog')
      .evaluate((d) => [getComputedStyle(d).transitionDuration, getComputedStyle(d).opacity])
    expect(drawer).toEqual(['0s', '1'])
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it('changes an XP amount and deactivates a badge', async () => {
    const { page, context, errors } = await openPage(e2e.browser)
    await signInAsOwner(page, e2e.server.url)
    await page.goto(`${e2e.server.url}/admin/gamification`)
    await page.getByRole('heading', { name: 'Règles de gamification' }).waitFor()
    const firstVideo = page.getByRole('switch', { name: 'Badge « Première vidéo » actif' })
    await firstVideo.waitFor({ state: 'attached' })
    expect(await seriousViolations(page)).toEqual([])

    // Out of range: the field says so and nothing is saved.
    const quizPassed = page.getByLabel('Quiz réussi', { exact: true })
    await quizPassed.fill('20000')
    await page.getByRole('button', { name: 'Enregistrer les règles' }).click()
    await page.getByText('Un nombre entier entre 0 et 10000.').waitFor()
    await quizPassed.fill('60')
    await page.getByRole('button', { name: 'Enregistrer les règles' }).click()
    await page.getByText('Règles enregistrées.').waitFor()
    const settings = await (await page.request.get(`${e2e.server.url}/api/gamification/settings`)).json()
    expect(settings.xp.quiz_passed).toBe(60)

    expect(await firstVideo.isChecked()).toBe(true)
    await firstVideo.uncheck({ force: true })
    await page.getByText(/Badge « Première vidéo » désactivé/).waitFor()
    expect(await firstVideo.isChecked()).toBe(false)
    const badges: { code: string; active: boolean }[] = await (
      await page.request.get(`${e2e.server.url}/api/gamification/badges`)
    ).json()
    expect(badges.find((b) => b.code === 'first_video')?.active).toBe(false)

    // A new badge from the simple criteria form: three perfect quizzes.
    await page.getByRole('button', { name: 'Nouveau badge' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByLabel(/^Nom/).fill('Sans faute')
    await dialog.getByLabel(/^Code/).fill('perfect_3')
    await dialog.getByLabel('Activité comptée').selectOption('QUIZ_PASSED')
    await dialog.getByLabel('Sans faute uniquement').check()
    await dialog.getByLabel('Au moins').fill('3')
    expect(await seriousViolations(page)).toEqual([])
    await dialog.getByRole('button', { name: 'Créer le badge' }).click()
    await page.getByTestId('badge-perfect_3').getByText('Quiz réussis sans faute ≥ 3').waitFor()
    expect(errors).toEqual([])
    await context.close()
  }, 90_000)

  it('sets after how many days without activity a student has abandoned a course, which the course analytics then states', async () => {
    const { page, context, errors } = await openPage(e2e.browser)
    await signInAsOwner(page, e2e.server.url)
    await page.getByRole('link', { name: 'Établissement' }).click()
    await page.getByRole('heading', { name: 'Paramètres de l’établissement' }).waitFor()
    const days = page.getByLabel('Abandon après (jours sans activité)')
    expect(await days.inputValue()).toBe('14')
    expect(await seriousViolations(page)).toEqual([])

    // Out of range: the field says so and nothing is saved.
    await days.fill('0')
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await page.getByText('Un nombre entier entre 1 et 365.').waitFor()
    await days.fill('21')
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await page.getByText('Paramètres de l’établissement enregistrés.').waitFor()
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'school-settings.png'), fullPage: true })
    const school = await (await page.request.get(`${e2e.server.url}/api/organisation`)).json()
    expect(school.abandoned_days).toBe(21)

    const courses = await (await page.request.get(`${e2e.server.url}/api/lms/courses`)).json()
    const demo = courses.find((c: { name: string }) => c.name === 'Découvrir le système solaire')
    await page.goto(`${e2e.server.url}/teach/courses/${demo.id}/analytics`)
    expect(await page.getByTestId('abandon-rule').textContent()).toMatch(
      /^Abandon : pas d’activité depuis 21 jours alors que le cours, ouvert, n’est pas terminé/,
    )
    expect(errors).toEqual([])
    await context.close()

    const dark = await openPage(e2e.browser, { colorScheme: 'dark' })
    await signInAsOwner(dark.page, e2e.server.url)
    await dark.page.goto(`${e2e.server.url}/admin/school`)
    await dark.page.getByLabel('Abandon après (jours sans activité)').waitFor()
    expect(await seriousViolations(dark.page)).toEqual([])
    if (SHOTS) await dark.page.screenshot({ path: join(SHOTS, 'school-settings-dark.png'), fullPage: true })
    await dark.context.close()
  }, 90_000)

  it('downloads the whole school from its settings page, as an archive another instance imports', async () => {
    const { page, context, errors } = await openPage(e2e.browser)
    await signInAsOwner(page, e2e.server.url)
    await page.goto(`${e2e.server.url}/admin/school`)
    await page.getByRole('heading', { name: 'Exporter l’école' }).waitFor()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Exporter l’école' }).click(),
    ])
    // The browser runs apart from this process: the download is copied here to be read.
    const file = join(mkdtempSync(join(tmpdir(), 'sillon-e2e-')), download.suggestedFilename())
    await download.saveAs(file)
    const entries: string[] = []
    await tar.list({ file, onReadEntry: (entry) => entries.push(entry.path) })
    rmSync(dirname(file), { recursive: true, force: true })
    expect(entries).toContain('manifest.json')
    expect(entries).toContain('tables/lms_course.jsonl')
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it('applies a new XP amount to past activity from the page, whose progress ends done, and the student sees the new total', async () => {
    // Léa passes a one-question quiz of a course the owner gives her: XP at the current amounts.
    const lea = await openPage(e2e.browser)
    await signIn(lea.page, e2e.server.url, 'lea@demo.sillon.test')
    await lea.page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    const studentId = (await (await lea.context.request.get(`${e2e.server.url}/api/auth/me`)).json())
      .student_id
    const { page, context, errors } = await openPage(e2e.browser)
    await signInAsOwner(page, e2e.server.url)
    const api = context.request
    const course = await api.post(`${e2e.server.url}/api/lms/courses`, {
      data: { name: 'Quiz express', student_ids: [studentId] },
    })
    expect(course.status(), await course.text()).toBe(201)
    const courseId = (await course.json()).id
    const question = {
      id: 'red',
      type: 'single_choice',
      prompt: 'Quelle planète est rouge ?',
      choices: [
        { id: 'mars', text: 'Mars' },
        { id: 'venus', text: 'Vénus' },
      ],
      answer: 'mars',
    }
    const step = await api.post(`${e2e.server.url}/api/lms/classes`, {
      data: { course_id: courseId, name: 'Quiz express', step_type: 'quiz', quiz: { questions: [question] } },
    })
    expect(step.status(), await step.text()).toBe(201)
    expect((await api.post(`${e2e.server.url}/api/courses/${courseId}/publish`)).status()).toBe(200)
    const passed = await lea.context.request.post(`${e2e.server.url}/api/quiz-submission`, {
      data: { class_id: (await step.json()).id, answers: { red: 'mars' } },
    })
    expect(passed.status(), await passed.text()).toBe(200)
    const myPoints = async () =>
      (await (await lea.context.request.get(`${e2e.server.url}/api/leaderboard`)).json()).me.total_points
    const before = await myPoints()

    // The owner pays a passed quiz 30 XP more, saves, then applies it to what was already done.
    await page.goto(`${e2e.server.url}/admin/gamification`)
    const quizPassed = page.getByLabel('Quiz réussi', { exact: true })
    // The field shows its unit: "60 XP".
    const amount = Number.parseInt(await quizPassed.inputValue(), 10)
    const apply = page.getByRole('button', { name: 'Appliquer aux activités passées' })
    await quizPassed.fill(String(amount + 30))
    // Unsaved amounts are not applied: the button waits for the save.
    await page.getByText(/Enregistrez d’abord vos changements/).waitFor()
    expect(await apply.isDisabled()).toBe(true)
    await page.getByRole('button', { name: 'Enregistrer les règles' }).click()
    await page.getByText('Règles enregistrées.').waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await apply.click()
    await page.getByText('Recalcul lancé.').waitFor()
    const done = page.getByText(
      /^Montants appliqués aux activités passées le .+ \(\d+ activités? recalculées?\)\.$/,
    )
    await done.waitFor()
    expect(await seriousViolations(page)).toEqual([])
    // The run is the server's: a reload still says when it finished.
    await page.reload()
    await done.waitFor()
    expect(await page.getByText(/sillon projections rebuild gamification_xp/).count()).toBe(1)

    expect(await myPoints()).toBe(before + 30)
    await lea.page.goto(`${e2e.server.url}/leaderboard`)
    await expect.poll(() => lea.page.getByTestId('my-rank').textContent()).toContain(String(before + 30))
    expect(errors).toEqual([])
    await context.close()
    await lea.context.close()
  }, 90_000)

  it('fits a 375 px phone on every settings page', async () => {
    const { page, context } = await openPage(e2e.browser, { width: 375, height: 740 })
    await signInAsOwner(page, e2e.server.url)
    for (const [path, loaded] of [
      ['/admin/tokens', page.getByText('Aucun jeton actif.')],
      ['/admin/webhooks', page.getByTestId('webhook')],
      ['/admin/gamification', page.getByTestId('badges')],
      ['/admin/school', page.getByLabel('Abandon après (jours sans activité)')],
    ] as const) {
      await page.goto(`${e2e.server.url}${path}`)
      await loaded.waitFor()
      expect(await overflowsSideways(page)).toBe(false)
      if (SHOTS && path === '/admin/school')
        await page.screenshot({ path: join(SHOTS, 'school-settings-375.png'), fullPage: true })
    }
    expect(await seriousViolations(page)).toEqual([])
    await context.close()
  }, 60_000)
})
