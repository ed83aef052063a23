import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  browserAvailable,
  openPage,
  seriousViolations,
  signIn,
  useDemoSchoolInBrowser,
} from '../helpers/browser.ts'
import { runToExit } from '../helpers/processes.ts'

// The demo school's owner reads the overview, a course's analytics and the classes, and invites a new
// student, who opens the link in their own browser, creates an account and lands on their dashboard; and
// invites an account of another school, whose owner must sign in on the link to join; a role change shows
// in the audit log, and the platform's own entries to a platform administrator.

describe.skipIf(!browserAvailable)('a school admin in the browser', () => {
  const e2e = useDemoSchoolInBrowser()

  it('reads the overview, the analytics and the classes, and exports a course then imports it back', async () => {
    const { page, context, errors } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'direction@demo.sillon.test')
    await page.getByRole('heading', { name: 'Vue d’ensemble' }).waitFor()
    await page.getByText('Actifs sur 7 jours').waitFor()
    expect(await seriousViolations(page)).toEqual([])

    await page.getByRole('link', { name: 'Mes cours' }).click()
    await page
      .getByRole('row', { name: /Découvrir le système solaire/ })
      .getByRole('link', { name: 'Suivi' })
      .click()
    await page.getByTestId('funnel').waitFor()
    expect(await page.getByTestId('funnel').getByRole('row').count()).toBe(5)
    expect(await page.getByTestId('students').getByText('Léa Martin').count()).toBe(1)
    expect(await seriousViolations(page)).toEqual([])

    // Export the course, then import the document back: a new draft opens in the builder.
    await page.getByRole('link', { name: '← Mes cours' }).click()
    const download = page.waitForEvent('download')
    await page
      .getByRole('row', { name: /Découvrir le système solaire/ })
      .getByRole('button', { name: 'Exporter' })
      .click()
    const file = join(e2e.dataDir, 'export.json')
    await (await download).saveAs(file)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'sillon.course', version: 1 })
    await page.locator('input[type=file]').setInputFiles(file)
    await page.getByText('« Découvrir le système solaire » importé comme brouillon.').waitFor()
    await expect.poll(() => page.url()).toMatch(/\/teach\/courses\/[^/]+$/)

    await page.getByRole('link', { name: 'Classes et groupes' }).click()
    await page.getByTestId('teams').getByText('Seconde A').waitFor()
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 90_000)

  it('invites a student by link, who creates an account and arrives on their dashboard', async () => {
    const admin = await openPage(e2e.browser)
    await signIn(admin.page, e2e.server.url, 'direction@demo.sillon.test')
    await admin.page.getByRole('link', { name: 'Membres' }).click()
    await admin.page.getByTestId('members').waitFor()
    expect(await seriousViolations(admin.page)).toEqual([])
    await admin.page.getByRole('button', { name: 'Inviter' }).click()
    const dialog = admin.page.getByRole('dialog', { name: 'Inviter' })
    await dialog.getByLabel('Adresse e-mail').fill('ines.roux@example.org')
    await dialog.getByLabel('Nom', { exact: true }).fill('Inès Roux')
    await dialog.getByLabel('Rôle').selectOption('student')
    expect(await seriousViolations(admin.page)).toEqual([])
    await dialog.getByRole('button', { name: 'Créer l’invitation' }).click()
    const link = await dialog.getByTestId('invitation-link').inputValue()
    expect(link).toMatch(new RegExp(`^${e2e.server.url}/join#token=`))
    await dialog.getByRole('button', { name: 'Fermer' }).last().click()
    await admin.page.getByTestId('invitations').getByText('ines.roux@example.org').waitFor()

    const invitee = await openPage(e2e.browser)
    await invitee.page.goto(link)
    await invitee.page.getByText('École Démo Sillon vous invite comme Élève.').waitFor()
    expect(await seriousViolations(invitee.page)).toEqual([])
    await invitee.page.getByLabel('Votre nom').fill('Inès Roux')
    await invitee.page.getByRole('textbox', { name: /^Choisissez un mot de passe/ }).fill('password')
    await invitee.page.getByRole('textbox', { name: /^Confirmez le mot de passe/ }).fill('password')
    await invitee.page.getByRole('button', { name: 'Accepter l’invitation' }).click()
    const refusal = invitee.page.getByRole('alert')
    await refusal.getByText('Ce mot de passe est trop facile à deviner', { exact: false }).waitFor()
    await refusal.getByText('Ce mot de passe est très utilisé.').waitFor()
    expect(await seriousViolations(invitee.page)).toEqual([])
    await invitee.page.getByRole('textbox', { name: /^Choisissez un mot de passe/ }).fill('une-phrase-longue')
    await invitee.page.getByRole('textbox', { name: /^Confirmez le mot de passe/ }).fill('une-phrase-longue')
    await invitee.page.getByRole('button', { name: 'Accepter l’invitation' }).click()
    await invitee.page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    expect(invitee.page.url()).toBe(`${e2e.server.url}/`)
    await invitee.context.close()

    await admin.page.reload()
    await admin.page.getByTestId('members').getByText('ines.roux@example.org').waitFor()
    expect(await admin.page.getByText('Aucune invitation en attente.').count()).toBe(1)
    await admin.context.close()
  }, 120_000)

  it('invites an account of another school, whose owner signs in on the link and joins', async () => {
    const env = { DATA_DIR: e2e.dataDir, SEED_DEMO: 'false' }
    const sillon = (...args: string[]) => runToExit(['bin/sillon.js', ...args], env, 30_000)
    expect((await sillon('org', 'create', 'autre-ecole', '--name', 'Autre école')).code).toBe(0)
    const created = await sillon(
      ...['user', 'create', '--org', 'autre-ecole', '--email', 'max.durand@example.org', '--role', 'student'],
      ...['--name', 'Max Durand', '--password', 'violet-harbour-lantern'],
    )
    expect(created.code, created.stderr).toBe(0)

    const admin = await openPage(e2e.browser)
    await signIn(admin.page, e2e.server.url, 'direction@demo.sillon.test')
    await admin.page.getByRole('link', { name: 'Membres' }).click()
    await admin.page.getByRole('button', { name: 'Inviter' }).click()
    const dialog = admin.page.getByRole('dialog', { name: 'Inviter' })
    await dialog.getByLabel('Adresse e-mail').fill('max.durand@example.org')
    await dialog.getByLabel('Nom', { exact: true }).fill('Maxime')
    await dialog.getByRole('button', { name: 'Créer l’invitation' }).click()
    const link = await dialog.getByTestId('invitation-link').inputValue()
    await dialog
      .getByText('si elle a déjà un compte (dans un autre établissement)', { exact: false })
      .waitFor()
    expect(await dialog.getByText('Max Durand').count()).toBe(0)
    await admin.context.close()

    const invitee = await openPage(e2e.browser)
    await invitee.page.goto(link)
    await invitee.page.getByLabel('Votre nom').fill('Max')
    await invitee.page.getByRole('textbox', { name: /^Choisissez un mot de passe/ }).fill('une-phrase-longue')
    await invitee.page.getByRole('textbox', { name: /^Confirmez le mot de passe/ }).fill('une-phrase-longue')
    await invitee.page.getByRole('button', { name: 'Accepter l’invitation' }).click()
    await invitee.page.getByText('Un compte Sillon utilise déjà cette adresse', { exact: false }).waitFor()
    expect(await seriousViolations(invitee.page)).toEqual([])
    await invitee.page.getByLabel('Votre mot de passe').fill('violet-harbour-lantern')
    await invitee.page.getByRole('button', { name: 'Se connecter et accepter' }).click()
    await invitee.page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    await invitee.context.close()
  }, 120_000)

  it('imports a CSV of students, fixes the rows the preview flags, and the student joins their class on accepting', async () => {
    const admin = await openPage(e2e.browser)
    await signIn(admin.page, e2e.server.url, 'direction@demo.sillon.test')
    await admin.page.getByRole('link', { name: 'Membres' }).click()
    await admin.page.getByRole('button', { name: 'Importer un CSV' }).click()
    const dialog = admin.page.getByRole('dialog', { name: 'Inviter à partir d’un fichier CSV' })
    await dialog.getByText('invitée reçoit son lien par e-mail', { exact: false }).first().waitFor()
    const bad = join(e2e.dataDir, 'bad.csv')
    writeFileSync(
      bad,
      'nom;e-mail;classe\nNoé Blanc;noe.blanc@example.org;Terminale C\nSans Adresse;pas-une-adresse;\n',
    )
    await dialog.locator('input[type=file]').setInputFiles(bad)
    const preview = dialog.getByTestId('import-preview')
    await preview.getByText('e-mail invalide').waitFor()
    await preview.getByText('classe inconnue').waitFor()
    expect(await dialog.getByRole('button', { name: /^Inviter 2 personnes/ }).isDisabled()).toBe(true)
    expect(await seriousViolations(admin.page)).toEqual([])

    const good = join(e2e.dataDir, 'good.csv')
    writeFileSync(good, 'nom;e-mail;classe\nNoé Blanc;noe.blanc@example.org;Terminale C\n')
    await dialog.locator('input[type=file]').setInputFiles(good)
    await dialog.getByLabel('Créer les classes qui n’existent pas encore').check()
    await dialog.getByText('1 personne prête à être invitée.').waitFor()
    await dialog.getByRole('button', { name: /^Inviter 1 personne/ }).click()
    await dialog.getByText('Classes créées : Terminale C.', { exact: false }).waitFor()
    const download = admin.page.waitForEvent('download')
    await dialog.getByRole('button', { name: 'Télécharger les liens (CSV)' }).click()
    const linksFile = join(e2e.dataDir, 'links.csv')
    await (await download).saveAs(linksFile)
    const [, row = ''] = readFileSync(linksFile, 'utf8').trim().split(/\r?\n/)
    const link = row.split(',').find((cell) => cell.includes('/join#token=')) ?? ''
    expect(link).toMatch(new RegExp(`^${e2e.server.url}/join#token=`))
    await dialog.getByRole('button', { name: 'Fermer' }).last().click()
    await admin.page
      .getByTestId('invitations')
      .getByRole('row', { name: /noe\.blanc@example\.org.*Terminale C/ })
      .waitFor()

    const invitee = await openPage(e2e.browser)
    await invitee.page.goto(link)
    await invitee.page.getByRole('textbox', { name: /^Choisissez un mot de passe/ }).fill('une-phrase-longue')
    await invitee.page.getByRole('textbox', { name: /^Confirmez le mot de passe/ }).fill('une-phrase-longue')
    await invitee.page.getByRole('button', { name: 'Accepter l’invitation' }).click()
    await invitee.page.getByRole('heading', { name: 'Mon tableau de bord' }).waitFor()
    await invitee.context.close()

    await admin.page.getByRole('link', { name: 'Classes et groupes' }).click()
    const team = admin.page.getByTestId('teams').getByRole('row', { name: /Terminale C/ })
    await team.getByText('1 élève').waitFor()

    // Invite straight into the class from its row.
    await team.getByRole('button', { name: 'Inviter dans Terminale C' }).click()
    const invite = admin.page.getByRole('dialog', { name: 'Inviter' })
    await expect.poll(() => invite.getByLabel('Classe').inputValue()).not.toBe('')
    await invite.getByLabel('Adresse e-mail').fill('lou.vert@example.org')
    await invite.getByLabel('Nom', { exact: true }).fill('Lou Vert')
    expect(await seriousViolations(admin.page)).toEqual([])
    await invite.getByRole('button', { name: 'Créer l’invitation' }).click()
    await invite.getByTestId('invitation-link').waitFor()
    expect(admin.errors).toEqual([])
    await admin.context.close()
  }, 120_000)

  it('closes the class editor’s student list after each choice, leaving the save button free on a phone', async () => {
    const { page, context, errors } = await openPage(e2e.browser, { width: 375, height: 740 })
    await signIn(page, e2e.server.url, 'direction@demo.sillon.test')
    await page.getByRole('heading', { name: 'Vue d’ensemble' }).waitFor()
    await page.goto(`${e2e.server.url}/admin/teams`)
    await page.getByRole('button', { name: 'Nouvelle classe' }).click()
    const dialog = page.getByRole('dialog', { name: 'Nouvelle classe' })
    await dialog.getByLabel('Nom').fill('Terminale B')
    const picker = dialog.getByRole('combobox', { name: 'Élèves' })
    await picker.click()
    await page.getByRole('option', { name: 'Léa Martin' }).click()
    await page.getByRole('listbox').waitFor({ state: 'hidden', timeout: 5_000 })
    // Typing opens the list again for the next choice, which closes it too.
    await picker.fill('Hugo')
    await page.getByRole('option', { name: 'Hugo Bernard' }).click()
    await page.getByRole('listbox').waitFor({ state: 'hidden', timeout: 5_000 })
    expect(await dialog.locator('.mantine-MultiSelect-pill').allTextContents()).toEqual([
      'Léa Martin',
      'Hugo Bernard',
    ])

    // What a finger on the middle of the save button touches is the button itself.
    const save = dialog.getByRole('button', { name: 'Enregistrer' })
    const box = await save.boundingBox()
    if (!box) throw new Error('the save button is not on screen')
    const touched = await page.evaluate(
      ({ x, y }) => document.elementFromPoint(x, y)?.closest('button')?.textContent ?? null,
      { x: box.x + box.width / 2, y: box.y + box.height / 2 },
    )
    expect(touched).toBe('Enregistrer')
    expect(await seriousViolations(page)).toEqual([])
    await save.click()
    await dialog.waitFor({ state: 'hidden' })
    await page
      .getByRole('row', { name: /Terminale B/ })
      .getByText('2 élèves')
      .waitFor()
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)

  it('searches members from the address bar, so that a filtered list can be reloaded or shared', async () => {
    const admin = await openPage(e2e.browser)
    await signIn(admin.page, e2e.server.url, 'direction@demo.sillon.test')
    await admin.page.getByRole('heading', { name: 'Vue d’ensemble' }).waitFor()
    await admin.page.goto(`${e2e.server.url}/admin/members?q=martin`)
    const members = admin.page.getByTestId('members')
    await members.getByText('lea@demo.sillon.test').waitFor()
    expect(await admin.page.getByRole('searchbox', { name: 'Rechercher' }).inputValue()).toBe('martin')
    expect(await members.getByText('direction@demo.sillon.test').count()).toBe(0)
    await admin.page.getByText(/^1–\d+ sur \d+$/).waitFor()

    await admin.page.getByRole('searchbox', { name: 'Rechercher' }).fill('direction')
    await members.getByText('direction@demo.sillon.test').waitFor()
    await expect.poll(() => new URL(admin.page.url()).searchParams.get('q')).toBe('direction')
    expect(await members.getByText('lea@demo.sillon.test').count()).toBe(0)
    expect(await seriousViolations(admin.page)).toEqual([])
    expect(admin.errors).toEqual([])
    await admin.context.close()
  }, 60_000)

  it('shows the owner a role change in the audit log, and a platform administrator the platform’s entries', async () => {
    const { page, context, errors } = await openPage(e2e.browser)
    await signIn(page, e2e.server.url, 'direction@demo.sillon.test')
    await page.getByRole('heading', { name: 'Vue d’ensemble' }).waitFor()
    await page.getByRole('link', { name: 'Membres' }).click()
    await page.getByLabel('Rôle de Léa Martin').selectOption('instructor')
    await expect.poll(() => page.getByLabel('Rôle de Léa Martin').inputValue()).toBe('instructor')

    await page.getByRole('link', { name: 'Journal d’audit' }).click()
    await page.getByRole('heading', { name: 'Journal d’audit' }).waitFor()
    const row = page.getByTestId('audit-log').getByRole('row', { name: /Rôle changé/ })
    await row.getByText('rôle : Élève → Enseignant').waitFor()
    await row.getByText(/Léa Martin/).waitFor()
    await row.getByText(/direction@demo\.sillon\.test/).waitFor()
    await row.getByText('127.0.0.1').waitFor()
    expect(await seriousViolations(page)).toEqual([])

    // The filter goes into the address, and the CSV download takes it along.
    await page.getByLabel('Action').selectOption('member.role_changed')
    await expect.poll(() => new URL(page.url()).searchParams.get('action')).toBe('member.role_changed')
    await page.getByText('1–1 sur 1').waitFor()
    const href = await page.getByRole('link', { name: 'Télécharger (CSV)' }).getAttribute('href')
    expect(href).toBe('/api/audit.csv?action=member.role_changed')

    // Made a platform administrator on the command line, the owner also reads the platform's own entries.
    const env = { DATA_DIR: e2e.dataDir, SEED_DEMO: 'false' }
    const granted = await runToExit(
      ['bin/sillon.js', 'superadmin', 'grant', '--email', 'direction@demo.sillon.test'],
      env,
      30_000,
    )
    expect(granted.code, granted.stderr).toBe(0)
    await page.goto(`${e2e.server.url}/admin/audit`)
    await page.getByLabel('Journal de').selectOption('platform')
    const platform = page
      .getByTestId('audit-log')
      .getByRole('row', { name: /Administration de la plateforme accordée/ })
    await platform.getByText('Ligne de commande').waitFor()
    expect(await page.getByRole('link', { name: 'Télécharger (CSV)' }).getAttribute('href')).toBe(
      '/api/platform/audit.csv?org_id=platform',
    )
    expect(await seriousViolations(page)).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  }, 60_000)
})
