import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  browserAvailable,
  openPage,
  overflowsSideways,
  seriousViolations,
  shortenDemoVideos,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'

// Léa, a student of the demo school, takes "Découvrir le système solaire" from start to finish in a real
// browser against the real server on a fresh database: the video (the demo clip's first seconds, played at
// the course's 2x), the quiz, the video and its quiz, the reading, then the handout; XP and badges show on
// her dashboard.

/** How long the demo videos last here: the tests watch them to the end, in real time. */
const VIDEO_SEC = 4

/** Plays the current step's video, muted, at the speed the course allows, until the server credits it. */
async function watchVideo(page: Page) {
  await page.getByLabel(/^(Vitesse de lecture|Playback speed)$/).selectOption('2')
  await page.getByTestId('video').evaluate(async (video: HTMLVideoElement) => {
    video.muted = true
    await video.play()
  })
}

describe.skipIf(!browserAvailable)('a student in the browser', () => {
  const e2e = useDemoSchoolInBrowser()
  beforeAll(() => shortenDemoVideos(e2e.server.url, VIDEO_SEC))

  it('takes the demo course from the first video to the handout, and sees XP and badges appear', async () => {
    const { page, errors } = await openPage(e2e.browser)
    await page.goto(e2e.server.url)
    await expect.poll(() => page.url()).toMatch(/\/signin$/)
    expect(await seriousViolations(page)).toEqual([])

    await signIn(page, e2e.server.url, 'lea@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    expect(await page.getByTestId('xp-total').textContent()).toMatch(/^0\sXP$/)
    expect(await seriousViolations(page)).toEqual([])

    await page.getByRole('link', { name: 'Commencer' }).click()
    await page.getByRole('heading', { name: 'Bienvenue dans le système solaire' }).waitFor()
    expect(await page.getByTestId('step-locked').count()).toBe(3)
    expect(await seriousViolations(page)).toEqual([])

    // The video: once credited, the step completes and the quiz unlocks.
    await watchVideo(page)
    await page.getByRole('heading', { name: "Les planètes, dans l'ordre" }).waitFor({ timeout: 45_000 })
    expect(await page.getByTestId('step-completed').count()).toBe(1)
    expect(await page.getByTestId('course-progress').textContent()).toBe('1 / 4 étapes')

    // The quiz, answered right: per-question feedback, then on to the next step.
    await page.getByLabel('Mercure').check()
    await page.getByRole('checkbox', { name: 'La Terre' }).check()
    await page.getByRole('checkbox', { name: 'Mars' }).check()
    await page
      .getByRole('radiogroup', { name: /Pluton/ })
      .getByLabel('Faux')
      .check()
    await page.getByLabel(/planète rouge/).fill('Mars')
    await page.getByLabel(/Combien de planètes/).fill('8')
    await page.getByRole('button', { name: 'Valider mes réponses' }).click()
    await page
      .getByTestId('quiz-result')
      .getByText(/Quiz réussi/)
      .waitFor()
    expect(await page.getByTestId('question-feedback').count()).toBe(5)
    expect(await seriousViolations(page)).toEqual([])
    await page.getByRole('button', { name: 'Continuer' }).click()

    // Video then quiz in one step: the quiz waits for the end of the video.
    await page.getByRole('heading', { name: 'Les géantes gazeuses' }).waitFor()
    await page.getByText('Le quiz s’ouvrira à la fin de la vidéo.').waitFor()
    await watchVideo(page)
    await page.getByTestId('video-done').waitFor({ timeout: 45_000 })
    await page.getByLabel('Jupiter').check()
    await page
      .getByRole('radiogroup', { name: /anneaux/ })
      .getByLabel('Faux')
      .check()
    await page.getByRole('button', { name: 'Valider mes réponses' }).click()
    await page
      .getByTestId('quiz-result')
      .getByText(/Quiz réussi/)
      .waitFor()
    await page.getByRole('button', { name: 'Continuer' }).click()

    // The reading, acknowledged: the course is complete and its whole handout opens.
    await page.getByRole('heading', { name: 'Fiche de synthèse' }).waitFor()
    await page.getByRole('button', { name: 'J’ai lu' }).click()
    await page.getByTestId('course-completed').waitFor()
    await page.getByRole('button', { name: 'Résumé du cours' }).click()
    await page.getByText(/Pluton est une planète naine depuis 2006/).waitFor()
    expect(await seriousViolations(page)).toEqual([])

    await page.getByRole('link', { name: 'Retour à l’accueil' }).click()
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    await expect.poll(async () => page.getByTestId('xp-total').textContent()).not.toMatch(/^0\sXP$/)
    const badges = await page.getByTestId('recent-badges').textContent()
    expect(badges).toContain('Parcours terminé')
    expect(await page.getByTestId('course-card').getByText('Terminé', { exact: true }).count()).toBe(1)

    await page.getByRole('link', { name: 'Classement' }).click()
    await page.getByTestId('my-rank').waitFor()
    expect(await page.getByRole('row', { name: /Léa/ }).count()).toBe(1)
    expect(await seriousViolations(page)).toEqual([])
    await page.getByRole('link', { name: 'Badges' }).click()
    await page.getByTestId('earned-badges').waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await page.getByRole('link', { name: 'Bibliothèque' }).click()
    await page.getByTestId('handout').waitFor()
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])
  }, 180_000)

  it('never reports a position the player refused: a seek ahead on the timeline snaps back and records no skip attempt', async () => {
    const { page, context } = await openPage(e2e.browser)
    const sent: number[] = []
    page.on('request', (request) => {
      if (!request.url().endsWith('/api/video-event')) return
      const body = JSON.parse(request.postData() ?? '{}') as { events?: { position: number }[] }
      sent.push(...(body.events ?? []).map((e) => e.position))
    })
    await signIn(page, e2e.server.url, 'hugo@demo.sillon.test')
    await page.getByRole('link', { name: 'Commencer' }).click()
    const video = page.getByTestId('video')
    await video.evaluate(async (v: HTMLVideoElement) => {
      v.muted = true
      await v.play()
    })
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(1)
    // A click on the native timeline at 85 % (26 s of 30), as a student would: Chromium's controls pause
    // for the scrub, then seek. The timeline runs 16 px inside the video's sides, 22 px above its bottom.
    const box = await video.boundingBox()
    if (!box) throw new Error('the video has no box')
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.click(box.x + box.width * 0.85, box.y + box.height - 22)
    await page.getByText('Impossible d’avancer au-delà de ce que vous avez déjà regardé.').waitFor()
    expect(await video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeLessThan(10)
    // Three pings: the start, the scrub's pause, and the play that ends the scrub, which was recorded
    // while the pause's ping was on its way and goes at once, not with the next ping 10 s later.
    await expect.poll(() => sent.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(3)
    // Paused by the test, unless the short video already reached its end.
    await video.evaluate(
      (v: HTMLVideoElement) =>
        new Promise((paused) => {
          if (v.paused) return paused(null)
          v.addEventListener('pause', paused, { once: true })
          v.pause()
        }),
    )
    await expect
      .poll(() => page.evaluate(() => localStorage.getItem('sillon.pending-pings')), { timeout: 20_000 })
      .toBeNull()

    // What the server recorded: every ping the page sent, none ahead of what was played, no skip attempt.
    const db = new Database(join(e2e.dataDir, 'sillon.db'), { readonly: true })
    try {
      const ofHugo = `FROM lms_student s JOIN users u ON u.id = s.user_id WHERE u.email = 'hugo@demo.sillon.test'`
      const pings = db
        .prepare(
          `SELECT e.payload_json FROM lms_event e WHERE e.type = 'VIDEO_PING' AND e.student_id IN (SELECT s.id ${ofHugo})`,
        )
        .all() as { payload_json: string }[]
      expect(
        pings
          .map((p) => (JSON.parse(p.payload_json) as { position_sec: number }).position_sec)
          .sort((a, b) => a - b),
      ).toEqual([...sent].sort((a, b) => a - b))
      const progress = db
        .prepare(
          `SELECT p.skip_attempts FROM v_user_progress p WHERE p.student_id IN (SELECT s.id ${ofHugo})`,
        )
        .all()
      expect(progress).toEqual([{ skip_attempts: 0 }])
    } finally {
      db.close()
    }
    expect(Math.max(...sent)).toBeLessThan(10)
    await context.close()
  }, 60_000)

  it('keeps the pings made offline, or refused by an unavailable server, and sends them in one batch when it can', async () => {
    const { page, context } = await openPage(e2e.browser, { pingEveryMs: 1_000 })
    await signIn(page, e2e.server.url, 'hugo@demo.sillon.test')
    await page.getByRole('link', { name: /^(Commencer|Continuer|Start|Continue)$/ }).click()
    // Seeking ahead of what was watched snaps back, with a word of explanation.
    const video = page.getByTestId('video')
    await video.evaluate(
      (v: HTMLVideoElement) =>
        new Promise((ready) =>
          v.readyState > 0 ? ready(null) : v.addEventListener('loadedmetadata', ready),
        ),
    )
    await video.evaluate((v: HTMLVideoElement) => {
      v.currentTime = 25
    })
    await page.getByText('Impossible d’avancer au-delà de ce que vous avez déjà regardé.').waitFor()
    expect(await video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeLessThan(5)
    const batches: number[] = []
    page.on('request', (request) => {
      if (!request.url().endsWith('/api/video-event')) return
      const body = JSON.parse(request.postData() ?? '{}') as { events?: unknown[] }
      batches.push(body.events?.length ?? 0)
    })
    // The server judges late pings by its own clock from the last one it received: the first must reach it.
    const firstPing = page.waitForResponse((r) => r.url().endsWith('/api/video-event') && r.ok())
    await watchVideo(page)
    await firstPing
    await context.setOffline(true)
    // Offline for more than one ping period, or until the video ends: two pings at least wait on the device.
    await expect
      .poll(
        () => page.evaluate(() => JSON.parse(localStorage.getItem('sillon.pending-pings') ?? '[]').length),
        { timeout: 31_000 },
      )
      .toBeGreaterThanOrEqual(2)
    const sentBefore = batches.length
    // Back online, the server first answers 503 (as while its database restarts): the batch stays on the
    // device and goes again a moment later.
    let unavailable = 0
    await page.route('**/api/video-event', async (route) => {
      if (unavailable++ > 0) return route.continue()
      const body = { error: { code: 'database_unavailable', message: 'Try again shortly', details: {} } }
      return route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify(body) })
    })
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/video-event') && r.status() === 503)
    await context.setOffline(false)
    await refused
    expect(
      await page.evaluate(() => JSON.parse(localStorage.getItem('sillon.pending-pings') ?? '[]').length),
    ).toBeGreaterThanOrEqual(2)
    await expect
      .poll(() => page.evaluate(() => localStorage.getItem('sillon.pending-pings')), { timeout: 20_000 })
      .toBeNull()
    expect(unavailable).toBeGreaterThanOrEqual(2)
    expect(Math.max(...batches.slice(sentBefore))).toBeGreaterThanOrEqual(2)
    // The server credited the watching done offline: the step completes and the quiz opens.
    await page.getByRole('heading', { name: "Les planètes, dans l'ordre" }).waitFor({ timeout: 30_000 })
    await context.close()
  }, 120_000)

  it('sees the hearts before the first attempt, loses one per failed quiz and, with none left, sees when the next one comes back instead of the quiz, also after a reload', async () => {
    const { page, context } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'hugo@demo.sillon.test')
    await page.getByRole('link', { name: 'Continuer' }).click()
    await page.getByRole('heading', { name: "Les planètes, dans l'ordre" }).waitFor()
    // Before any attempt: the score to reach (the course's default) and the hearts left.
    expect(await page.getByTestId('quiz-threshold').textContent()).toMatch(/Il faut 80\s%/)
    expect(await page.getByTestId('quiz-intro').getByRole('img').getAttribute('aria-label')).toBe(
      '5 cœurs sur 5',
    )
    for (let attempt = 1; attempt <= 5; attempt++) {
      await page.getByLabel('Vénus').check()
      await page.getByRole('checkbox', { name: 'Jupiter' }).check()
      await page
        .getByRole('radiogroup', { name: /Pluton/ })
        .getByLabel('Vrai')
        .check()
      await page.getByLabel(/planète rouge/).fill('Vénus')
      await page.getByLabel(/Combien de planètes/).fill('9')
      await page.getByRole('button', { name: 'Valider mes réponses' }).click()
      await page
        .getByTestId('quiz-result')
        .getByText(/Quiz non validé/)
        .waitFor()
      await expect
        .poll(() => page.getByTestId('quiz-result').getByRole('img').getAttribute('aria-label'))
        .toBe(`${5 - attempt} cœur${5 - attempt > 1 ? 's' : ''} sur 5`)
      if (attempt === 1) {
        // Which answers were wrong and the teacher's hints, never the expected answers while the quiz is open.
        expect(await page.getByTestId('question-feedback').getByText('Mauvaise réponse').count()).toBe(5)
        await page.getByText('Indice : Sa couleur vient de la rouille de son sol.').waitFor()
        expect(await page.getByText(/Réponse attendue/).count()).toBe(0)
        expect(await page.getByText(/oxyde de fer|58 millions/).count()).toBe(0)
        await page
          .getByTestId('answers-withheld')
          .getByText(/s’afficheront quand vous aurez réussi/)
          .waitFor()
        expect(await seriousViolations(page)).toEqual([])
      }
      if (attempt < 5) {
        await page.getByRole('button', { name: 'Réessayer' }).click()
        await page.getByRole('button', { name: 'Valider mes réponses' }).waitFor()
      }
    }
    // The last heart spent: no "try again", the time the next heart comes back, and nothing about replaying
    // videos (finished steps cannot be replayed).
    const blocked = page.getByTestId('no-hearts')
    await blocked.waitFor()
    expect(await page.getByRole('button', { name: 'Réessayer' }).count()).toBe(0)
    expect(await blocked.textContent()).toMatch(/Le prochain revient le .+ \d{2}:\d{2}/)
    expect(await blocked.textContent()).not.toMatch(/vidéo/)
    expect(await seriousViolations(page)).toEqual([])
    // After a reload, the quiz stays closed: the same notice instead of a form the server would refuse.
    await page.reload()
    await page.getByRole('heading', { name: "Les planètes, dans l'ordre" }).waitFor()
    await page.getByTestId('no-hearts').waitFor()
    expect(await page.getByTestId('no-hearts').textContent()).toMatch(/Le prochain revient le .+ \d{2}:\d{2}/)
    expect(await page.getByRole('button', { name: 'Valider mes réponses' }).count()).toBe(0)
    expect(await page.getByLabel(/planète rouge/).count()).toBe(0)
    expect(await seriousViolations(page)).toEqual([])
    await context.close()
  }, 120_000)

  it('speaks English when the student chooses it, and keeps the choice for the next visit', async () => {
    const { page, context } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'hugo@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    await page.getByRole('button', { name: 'Langue' }).click()
    await page.getByRole('menuitem', { name: 'English' }).click()
    await page.getByRole('heading', { name: 'My dashboard' }).waitFor()
    expect(await page.locator('html').getAttribute('lang')).toBe('en')
    expect(await seriousViolations(page)).toEqual([])
    await context.close()

    // Another device, in French: the account's choice wins once signed in.
    const other = await openPage(e2e.browser, { locale: 'fr-FR' })
    await signIn(other.page, e2e.server.url, 'hugo@demo.sillon.test')
    await other.page.getByRole('heading', { name: 'My dashboard' }).waitFor()
    await other.context.close()
  })

  it('fits a 375 px phone: no sideways scrolling, the menu behind a button', async () => {
    const { page, context } = await openPage(e2e.browser, { width: 375, height: 740 })
    await signIn(page, e2e.server.url, 'lea@demo.sillon.test')
    await page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    expect(await overflowsSideways(page)).toBe(false)
    await page.getByRole('button', { name: 'Ouvrir le menu' }).click()
    await page.getByRole('link', { name: 'Classement' }).click()
    await page.getByRole('heading', { name: 'Classement' }).waitFor()
    expect(await overflowsSideways(page)).toBe(false)
    expect(await seriousViolations(page)).toEqual([])
    await context.close()
  })
})
