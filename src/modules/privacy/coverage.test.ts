import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../../../test/helpers/app.ts'
import { testDialects } from '../../../test/helpers/databases.ts'

// Every column of every table is judged by its name: one that looks like personal data (names, e-mails,
// pictures, free text, addresses, browsers...) or like a reference to a person (user_id, student_id,
// actor_id, created_by...) must be covered by a module's privacy declaration (src/core/privacy/port.ts), or
// be listed below with the reason it holds nothing personal. A new module's tables fail here until it
// declares them.

/** Names of columns that hold personal data, or may. */
const PERSONAL =
  /(^|_)(name|email|emails|image|picture|avatar|photo|phone|telephones|address|ip|user_agent|answer|answers|text|texts|comment|message|body|note|excerpt|payload|data|raw|details|label|title|identifier|key|password|token|secret)(_json|_md|_url)?$/
/** Names of columns that point to a person. */
const PERSON_REFERENCE =
  /(^|_)(user|student|instructor|actor|person|member|membership|learner|target)_id$|_by$/

/** Columns whose names look personal but whose values are not, with the reason. */
const NOT_PERSONAL: Record<string, string> = {
  'organisations.name': "the school's name",
  'lms_course.name': 'course content written by staff',
  'lms_class.name': 'course content written by staff',
  'lms_class.raw_json': 'the Unified.to fields of a step: course content',
  'lms_course.raw_json': 'the Unified.to fields of a course: course content',
  'teams.name': "a class's name, chosen by the school",
  'kms_resource.title': 'course content written by staff',
  'kms_resource.body_md': 'course content written by staff',
  'kms_resource.file_name': 'the name of a handout file',
  'kms_resource.file_key': "where a handout's file is stored",
  'step_caption.file_key': "where a caption track's file is stored",
  'quizzes.reveal_answers': 'when a quiz shows its answer key (a setting)',
  'step_caption.label': 'the label of a caption track',
  'gamification_badge.name': "a badge's name, chosen by the school",
  'gamification_badge.key': "the translation key of a default badge's name",
  'gamification_counter.key': 'what a badge counter counts (videos completed...)',
  'webhook_subscriptions.secret': "the school's webhook signing secret",
  'projection_checkpoints.name': "a projector's name",
  'job_runs.job_name': "a job's name",
  'job_runs.period_key': 'the period or queue key of a job run (an instant or a run id)',
  'gamification_xp_rebuild.error': "an error message of the school's XP rebuild",
}

type Column = { table: string; column: string }

async function columnsOf(t: TestApp): Promise<Column[]> {
  const schema =
    t.database.dialect === 'postgres'
      ? (await sql<{ name: string }>`select current_schema() as name`.execute(t.database.db)).rows[0]?.name
      : undefined
  const tables = (await t.database.db.introspection.getTables()).filter(
    (table) => !table.isView && (schema === undefined || table.schema === schema),
  )
  return tables.flatMap((table) => table.columns.map((c) => ({ table: table.name, column: c.name })))
}

describe.each(testDialects())('personal data declarations on %s', (dialect) => {
  let t: TestApp
  let columns: Column[]
  let declared: Map<string, string>

  beforeAll(async () => {
    t = await startTestApp(dialect)
    columns = await columnsOf(t)
    declared = new Map()
    for (const port of t.privacy.ports) {
      for (const d of port.declares) {
        for (const column of [...d.subjectColumns, ...d.personalColumns]) {
          declared.set(`${d.table}.${column}`, port.module)
        }
      }
    }
  })
  afterAll(() => t.close())

  it('covers every column that looks personal or points to a person', () => {
    const uncovered = columns
      .filter(({ column }) => PERSONAL.test(column) || PERSON_REFERENCE.test(column))
      .map(({ table, column }) => `${table}.${column}`)
      .filter((name) => !declared.has(name) && !(name in NOT_PERSONAL))
    expect(uncovered).toEqual([])
  })

  it('declares only tables and columns that exist, each table by one module', () => {
    const existing = new Set(columns.map(({ table, column }) => `${table}.${column}`))
    expect([...declared.keys()].filter((name) => !existing.has(name))).toEqual([])
    const owners = new Map<string, string[]>()
    for (const port of t.privacy.ports) {
      for (const d of port.declares) owners.set(d.table, [...(owners.get(d.table) ?? []), port.module])
    }
    expect([...owners].filter(([, modules]) => modules.length > 1)).toEqual([])
  })

  it('lists as not personal only columns that exist and no declaration covers', () => {
    const existing = new Set(columns.map(({ table, column }) => `${table}.${column}`))
    const stale = Object.keys(NOT_PERSONAL).filter((name) => !existing.has(name) || declared.has(name))
    expect(stale).toEqual([])
  })
})
