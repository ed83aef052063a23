import { describe, expect, it } from 'vitest'
import {
  browserAvailable,
  openPage,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'
import { runToExit } from '../helpers/processes.ts'

// Rewards as a new student of the demo school earns them: "+N XP" as a step is done, a level reached, the
// first badges announced, each closed by Escape or its button, and the recap at the end of the course.

const PASSWORD = 'amber-meadow-compass'

describe.skipIf(!browserAvailable)('rewards in the course player', () => {
  const e2e = useDemoSchoolInBrowser()

  it('celebrates the XP, the level and the badges a step brings, and recaps the course at its end', async () => {
    const email = `rose.${crypto.randomUUID().slice(0, 6)}@example.org`
    const created = await runToExit(
      [
        ...['bin/sillon.js', 'user', 'create', '--org', 'demo', '--email', email, '--role', 'student'],
        ...['--name', 'Rose', '--password', PASSWORD],
      ],
      { DATA_DIR: e2e.dataDir, SEED_DEMO: 'false' },
      30_000,
    )
    expect(created.code, created.stderr).toBe(0)
    const { page, context, errors } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, email, PASSWORD)
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    const studentId = (await (await context.request.get(`${e2e.server.url}/api/auth/me`)).json()).student_id

    // The demo teacher builds a course of a quiz then a reading for her.
    const prof = await openPage(e2e.browser)
    await signIn(prof.page, e2e.server.url, 'prof@demo.sillon.test')
    await prof.page.waitForURL((url) => !url.pathname.endsWith('/signin'), { timeout: 15_000 })
    const api = prof.context.request
    const course = await api.post(`${e2e.server.url}/api/lms/courses`, {
      data: { name: 'Les planètes', student_ids: [studentId] },
    })
    expect(course.status(), await course.text()).toBe(201)
    const courseId = (await course.json()).id
    const steps = [
      {
        name: 'Quiz des planètes',
        step_type: 'quiz',
        quiz: {
          questions: [
            {
              id: 'red',
              type: 'single_choice',
              prompt: 'Quelle planète est rouge ?',
              choices: [
                { id: 'mars', text: 'Mars' },
                { id: 'venus', text: 'Vénus' },
              ],
              answer: 'mars',
            },
          ],
        },
      },
      { name: 'Lecture finale', step_type: 'reading', content_md: 'Mars doit sa couleur à la rouille.' },
    ]
    for (const step of steps) {
      const added = await api.post(`${e2e.server.url}/api/lms/classes`, {
        data: { course_id: courseId, ...step },
      })
      expect(added.status(), await added.text()).toBe(201)
    }
    expect((await api.post(`${e2e.server.url}/api/courses/${courseId}/publish`)).status()).toBe(200)
    await prof.context.close()

    await page.goto(`${e2e.server.url}/courses/${courseId}`)
    await page.getByRole('heading', { name: 'Quiz des planètes' }).waitFor()
    const moment = page.getByTestId('reward-moment')
    const announced = page.getByRole('status').filter({ hasText: /XP/ })

    // A perfect first quiz: 50 + 25 XP, and the badges Premier quiz (10) and Perfectionniste (25): level 2.
    await page.getByLabel('Mars').check()
    await page.getByRole('button', { name: 'Valider mes réponses' }).click()
    await moment.getByTestId('reward-xp').getByText('+110 XP').waitFor()
    expect(await moment.getByTestId('reward-level').textContent()).toBe('Niveau 2 atteint !')
    const badges = moment.getByTestId('reward-badge')
    expect(await badges.count()).toBe(2)
    expect(await badges.nth(0).textContent()).toContain('Premier quiz')
    expect(await badges.nth(1).textContent()).toContain('Perfectionniste')
    const words = await announced.textContent()
    expect(words).toContain('Vous gagnez 110 XP.')
    expect(words).toContain('Vous passez au niveau 2.')
    expect(words).toMatch(/Nouveaux badges : Premier quiz et Perfectionniste\./)
    expect(await seriousViolations(page)).toEqual([])

    // Escape closes it; moving on to the next step brings nothing more.
    await page.keyboard.press('Escape')
    await moment.waitFor({ state: 'detached' })
    await page.getByRole('button', { name: 'Continuer' }).click()
    await page.getByRole('heading', { name: 'Lecture finale' }).waitFor()
    expect(await moment.count()).toBe(0)

    // The last step: 100 XP for the course and the badge Parcours terminé (50), closed by its button.
    await page.getByRole('button', { name: 'J’ai lu' }).click()
    await moment.getByTestId('reward-xp').getByText('+150 XP').waitFor()
    expect(await moment.getByTestId('reward-badge').textContent()).toContain('Parcours terminé')
    expect(await moment.getByTestId('reward-level').count()).toBe(0)
    await moment.getByRole('button', { name: 'Fermer' }).click()
    await moment.waitFor({ state: 'detached' })

    // The recap: all the XP of the course, its three badges, and the time spent on its steps.
    const recap = page.getByTestId('course-recap')
    await recap.waitFor()
    expect(await recap.getByTestId('recap-xp').textContent()).toContain('+260 XP')
    expect(await recap.getByTestId('recap-badge-count').textContent()).toContain('3')
    expect(await recap.getByTestId('recap-time').textContent()).toContain('moins d’une minute')
    const names = await recap.getByTestId('recap-badges').textContent()
    for (const name of ['Premier quiz', 'Perfectionniste', 'Parcours terminé']) expect(names).toContain(name)
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 120_000)
})
