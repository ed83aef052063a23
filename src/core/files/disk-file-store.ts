import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { assertSafeKey, type FileStore } from './file-store.ts'

/** Files on local disk under one folder; writes go through a temporary name so a crash leaves no half file. */
export function diskFileStore(root: string): FileStore {
  const pathOf = (key: string) => {
    assertSafeKey(key)
    return join(root, key)
  }
  return {
    async put(key, data) {
      const path = pathOf(key)
      await mkdir(dirname(path), { recursive: true })
      const temporary = `${path}.${crypto.randomUUID()}.part`
      await writeFile(temporary, data, { flag: 'wx' })
      await rename(temporary, path)
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)))
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw err
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true })
    },
  }
}
