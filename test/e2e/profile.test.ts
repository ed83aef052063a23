import { crc32, deflateSync } from 'node:zlib'
import { translations } from '@zxcvbn-ts/language-en'
import { describe, expect, it } from 'vitest'
import {
  browserAvailable,
  DEMO_PASSWORD,
  openPage,
  overflowsSideways,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'

// A person's own profile, from the account menu: their name and interface language, their password
// (a weak one refused with zxcvbn's advice in their language) and their picture, seen in the header.

/** A real PNG of width × height pixels, wider than tall, for the browser to crop to a square. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8 bits, RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, Buffer.from([0x2c, 0x7f, 0x4d]))])
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

const STRONG_PASSWORD = 'violet-harbour-quietly-jumps-42'

describe.skipIf(!browserAvailable)('the profile page in the browser', () => {
  const e2e = useDemoSchoolInBrowser()

  it('changes name, language, password (a weak one refused with advice) and picture, seen in the header', async () => {
    const { context, page, errors } = await openPage(e2e.browser, { locale: 'fr-FR' })
    page.setDefaultTimeout(20_000)
    await signIn(page, e2e.server.url, 'lea@demo.sillon.test')
    await page.getByRole('button', { name: /Léa Martin/ }).click()
    await page.getByRole('menuitem', { name: 'Mon profil' }).click()
    await page.getByRole('heading', { name: 'Mon profil', level: 1 }).waitFor()
    expect(await seriousViolations(page)).toEqual([])

    // Name and language: the interface turns English at once.
    await page.getByLabel('Nom affiché').fill('Léa Martin-Roux')
    await page.getByRole('combobox', { name: 'Langue de l’interface' }).click()
    await page.getByRole('option', { name: 'English' }).click()
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await page.getByRole('heading', { name: 'My profile', level: 1 }).waitFor()
    await page.getByRole('button', { name: /Léa Martin-Roux/ }).waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en')

    // A weak password is refused with zxcvbn's advice, in English.
    await page.getByLabel(/^Current password/).fill(DEMO_PASSWORD)
    await page.getByLabel(/^New password/).fill('12345678')
    await page.getByLabel(/^Confirm the new password/).fill('12345678')
    await page.getByRole('button', { name: 'Change password' }).click()
    const advice = page.getByRole('list', { name: 'Password advice' })
    await advice.waitFor()
    const known = [...Object.values(translations.warnings), ...Object.values(translations.suggestions)]
    const lines = await advice.getByRole('listitem').allTextContents()
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) expect(known).toContain(line)
    expect(await page.getByRole('alert').first().textContent()).toContain('too easy to guess')
    expect(await seriousViolations(page)).toEqual([])

    // A strong one is taken, and signs in from now on.
    await page.getByLabel(/^New password/).fill(STRONG_PASSWORD)
    await page.getByLabel(/^Confirm the new password/).fill(STRONG_PASSWORD)
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('Password changed.').waitFor()
    expect(await advice.count()).toBe(0)
    const signInWith = (password: string) =>
      fetch(`${e2e.server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: e2e.server.url },
        body: JSON.stringify({ email: 'lea@demo.sillon.test', password }),
      })
    expect((await signInWith(STRONG_PASSWORD)).status).toBe(200)
    expect((await signInWith(DEMO_PASSWORD)).status).toBe(401)

    // A picture, cropped and shrunk by the browser to a 256 px square, shows in the header.
    await page.locator('input[type=file]').setInputFiles({
      name: 'holiday.png',
      mimeType: 'image/png',
      buffer: png(640, 360),
    })
    await page.getByText('Picture saved.').waitFor()
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('header img')
      return img?.complete === true && img.naturalWidth === 256 && img.naturalHeight === 256
    })
    const src = await page.locator('header img').getAttribute('src')
    expect(src).toMatch(/^\/api\/users\/[^/]+\/picture\/[^/]+$/)
    const served = await page.evaluate(
      async (url) => (await fetch(url)).headers.get('content-type'),
      src ?? '',
    )
    expect(served).toBe('image/webp')
    expect(await seriousViolations(page)).toEqual([])

    // It survives a reload, and can be removed.
    await page.reload()
    await page.getByRole('heading', { name: 'My profile', level: 1 }).waitFor()
    await page.locator('header img').waitFor()
    expect(await page.locator('header img').getAttribute('src')).toBe(src)
    await page.getByRole('button', { name: 'Remove picture' }).click()
    await page.getByText('Picture removed.').waitFor()
    await page.locator('header img').waitFor({ state: 'detached' })
    expect(errors).toEqual([])
    await context.close()
  }, 90_000)

  it('fits a phone screen with nothing serious for axe', async () => {
    const { context, page, errors } = await openPage(e2e.browser, {
      locale: 'fr-FR',
      width: 375,
      height: 800,
    })
    page.setDefaultTimeout(20_000)
    await signIn(page, e2e.server.url, 'hugo@demo.sillon.test')
    await page.getByRole('navigation').waitFor({ state: 'attached' })
    await page.goto(`${e2e.server.url}/profile`)
    await page.getByRole('heading', { name: 'Mon profil', level: 1 }).waitFor()
    expect(await overflowsSideways(page)).toBe(false)
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)
})
