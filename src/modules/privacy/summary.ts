// The readable summary of an access request: the same data as the JSON, as one self-contained HTML page
// (no script, no outside resource) that a person can open, print or save as PDF.

type Locale = 'fr' | 'en'

type PersonalData = {
  generated_at: string
  school: { name: string }
  person: { name: string; email: string; role: string | null }
  modules: Record<string, Record<string, unknown>>
}

const texts = {
  fr: {
    title: 'Mes données personnelles',
    intro: (school: string, at: string) =>
      `Tout ce que ${school} conserve à votre sujet dans Sillon, au ${at}. Le fichier JSON contient les mêmes données, complètes.`,
    person: 'Personne',
    role: 'Rôle',
    none: 'Rien',
    rows: (n: number) => `${n} ligne${n > 1 ? 's' : ''}`,
    shown: (n: number, total: number) =>
      `${n} premières lignes sur ${total} (toutes sont dans le fichier JSON)`,
    modules: {
      identity: 'Compte et profil',
      catalog: 'Cours et classes',
      tracking: 'Événements d’apprentissage',
      progress: 'Progression',
      gamification: 'XP, badges, séries et cœurs',
      mastery: 'Maîtrise',
      integrations: 'Événements envoyés aux intégrations',
      audit: 'Journal d’audit',
    } as Record<string, string>,
  },
  en: {
    title: 'My personal data',
    intro: (school: string, at: string) =>
      `Everything ${school} keeps about you in Sillon, as of ${at}. The JSON file holds the same data, in full.`,
    person: 'Person',
    role: 'Role',
    none: 'Nothing',
    rows: (n: number) => `${n} row${n > 1 ? 's' : ''}`,
    shown: (n: number, total: number) => `The first ${n} rows of ${total} (the JSON file has them all)`,
    modules: {
      identity: 'Account and profile',
      catalog: 'Courses and classes',
      tracking: 'Learning events',
      progress: 'Progress',
      gamification: 'XP, badges, streaks and hearts',
      mastery: 'Mastery',
      integrations: 'Events sent to integrations',
      audit: 'Audit log',
    } as Record<string, string>,
  },
} as const

/** Long logs (video pings) would make a page nobody reads: the JSON has every row. */
const MAX_ROWS = 200

const html = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function cell(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'object') return `<code>${html(JSON.stringify(value))}</code>`
  return html(String(value))
}

function table(rows: Record<string, unknown>[], t: (typeof texts)[Locale]): string {
  const shown = rows.slice(0, MAX_ROWS)
  const columns = [...new Set(shown.flatMap((row) => Object.keys(row)))]
  const head = columns.map((c) => `<th scope="col">${html(c)}</th>`).join('')
  const body = shown
    .map((row) => `<tr>${columns.map((c) => `<td>${cell(row[c])}</td>`).join('')}</tr>`)
    .join('')
  const note = rows.length > MAX_ROWS ? `<p>${html(t.shown(MAX_ROWS, rows.length))}</p>` : ''
  return `<p>${html(t.rows(rows.length))}</p>${note}<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
}

function part(name: string, value: unknown, t: (typeof texts)[Locale]): string {
  const heading = `<h3>${html(name)}</h3>`
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) {
    return `${heading}<p>${html(t.none)}</p>`
  }
  if (Array.isArray(value)) {
    const rows = value.map((v) => (typeof v === 'object' && v !== null ? v : { value: v }))
    return heading + table(rows as Record<string, unknown>[], t)
  }
  if (typeof value === 'object') {
    const items = Object.entries(value)
      .map(([k, v]) => `<dt>${html(k)}</dt><dd>${cell(v)}</dd>`)
      .join('')
    return `${heading}<dl>${items}</dl>`
  }
  return `${heading}<p>${cell(value)}</p>`
}

/** The HTML page of an access request, in `locale`. */
export function renderSummary(data: PersonalData, locale: Locale): string {
  const t = texts[locale]
  const sections = Object.entries(data.modules)
    .map(([module, parts]) => {
      const body = Object.entries(parts)
        .map(([name, value]) => part(name, value, t))
        .join('')
      return `<section><h2>${html(t.modules[module] ?? module)}</h2>${body}</section>`
    })
    .join('')
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(t.title)} — ${html(data.school.name)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse;font-size:13px;margin-bottom:1rem;display:block;overflow-x:auto}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}
dt{font-weight:600}dd{margin:0 0 .5rem}code{white-space:pre-wrap;word-break:break-all}</style></head>
<body><h1>${html(t.title)}</h1>
<p>${html(t.intro(data.school.name, data.generated_at))}</p>
<dl><dt>${html(t.person)}</dt><dd>${html(data.person.name)} &lt;${html(data.person.email)}&gt;</dd>
<dt>${html(t.role)}</dt><dd>${html(data.person.role ?? '—')}</dd></dl>
${sections}
</body></html>
`
}
