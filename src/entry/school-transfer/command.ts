import type { Projector } from '../../core/events/projector.ts'
import { cliActor, recordAudit } from '../../modules/audit/index.ts'
import * as identity from '../../modules/identity/index.ts'
import type { Runtime } from '../runtime.ts'
import { exportSchool, importSchool } from './transfer.ts'

export { SchoolTransferError } from './plan.ts'

type SchoolCommand = { command: 'export'; slug: string; file: string } | { command: 'import'; file: string }

/** `sillon school export <slug> <file>` and `sillon school import <file>`; a refusal throws. */
export async function runSchoolCommand(
  runtime: Pick<Runtime, 'database' | 'identity' | 'projectors' | 'project'>,
  args: SchoolCommand,
  say: (line: string) => void,
): Promise<void> {
  const deps = { database: runtime.database, files: runtime.identity.files, clock: runtime.identity.clock }
  if (args.command === 'export') {
    const org = await identity.findOrganisationBySlug(runtime.identity, args.slug)
    const manifest = await exportSchool(deps, org.id, args.file)
    await recordAudit(
      { db: runtime.database.db, clock: deps.clock },
      {
        orgId: org.id,
        actor: cliActor,
        action: 'school.exported',
        target: { type: 'school', id: org.id, label: org.slug },
      },
    )
    say(`${args.slug} exported to ${args.file}: ${describe(manifest.rows, manifest.entries)}`)
    return
  }
  // Read models must be caught up: the import moves their checkpoints past the entries it adds.
  await runtime.project()
  const projectors = runtime.projectors.map((p: Projector) => ({ name: p.name, reads: p.reads }))
  const { manifest, rows } = await importSchool({ ...deps, projectors }, args.file, cliActor)
  say(
    `${manifest.school.slug} (${manifest.school.name}) imported from ${args.file}, exported ${manifest.createdAt} by Sillon ${manifest.sillonVersion} on ${manifest.dialect}: ${describe(rows, manifest.entries)}`,
  )
}

function describe(rows: Record<string, number>, entries: readonly { path: string }[]) {
  const count = (table: string) => rows[table] ?? 0
  const files = entries.filter((e) => e.path.startsWith('files/')).length
  return `${count('memberships')} member(s), ${count('lms_course')} course(s), ${count('lms_event')} event(s), ${files} file(s)`
}
