import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import type { Plugin } from 'vite'

// The server sends these files as they are (serveStatic's `precompressed`), so they are compressed once,
// at build time, at the strongest settings: no request ever pays for it.

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)
const COMPRESSIBLE = /\.(js|mjs|css|svg|json|txt|webmanifest)$/
// Below this, the headers of a compressed response weigh about as much as what compression saves.
const MIN_BYTES = 1024

/**
 * Writes `<file>.br` and `<file>.gz` beside each compressible file of `files` (paths relative to `dir`),
 * when the compressed file is smaller. index.html is left out: the server rewrites it on every request.
 */
export async function precompressFiles(dir: string, files: readonly string[]): Promise<void> {
  await Promise.all(
    files
      // The build's manifest (.vite/) is read by the server, never sent.
      .filter((file) => COMPRESSIBLE.test(file) && !file.startsWith('.vite/'))
      .map(async (file) => {
        const path = join(dir, file)
        if ((await stat(path)).size < MIN_BYTES) return
        const content = await readFile(path)
        const [br, gz] = await Promise.all([
          brotli(content, {
            params: {
              [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
            },
          }),
          gzipAsync(content, { level: constants.Z_BEST_COMPRESSION }),
        ])
        await Promise.all([
          br.length < content.length ? writeFile(`${path}.br`, br) : undefined,
          gz.length < content.length ? writeFile(`${path}.gz`, gz) : undefined,
        ])
      }),
  )
}

/** Vite plugin: precompresses every file of the production build once it is written. */
export function precompress(): Plugin {
  return {
    name: 'sillon-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      if (!options.dir) return
      await precompressFiles(options.dir, Object.keys(bundle))
    },
  }
}
