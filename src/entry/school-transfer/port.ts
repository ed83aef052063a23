import { createReadStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import type { SchoolArchivePort } from '../../modules/school-transfer/index.ts'
import { exportSchool, type TransferDeps } from './transfer.ts'

/**
 * The owners' download: the archive is written to a temporary file (its size known, the database read in
 * one short transaction), then streamed from disk, and the file removed once sent or abandoned.
 */
export function nodeSchoolArchive(deps: TransferDeps): SchoolArchivePort {
  return {
    async write(orgId) {
      const dir = await mkdtemp(join(tmpdir(), 'sillon-school-download-'))
      const remove = () => rm(dir, { recursive: true, force: true })
      try {
        const file = join(dir, 'school.tar.gz')
        const manifest = await exportSchool(deps, orgId, file)
        const { size } = await stat(file)
        const stream = createReadStream(file)
        stream.once('close', () => void remove())
        return {
          body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
          size,
          slug: manifest.school.slug,
        }
      } catch (err) {
        await remove()
        throw err
      }
    },
  }
}
