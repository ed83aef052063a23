import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { WEB_BUILD_DIR } from '../../web/build.ts'

// web/main.tsx imports the styles of the Mantine components the app uses, one by one. A component used
// without its styles would draw unstyled; its class names (m_ and eight hex digits) tell it in the build.

const MANTINE_CLASS = /\bm_[0-9a-f]{8}\b/g

function classesIn(extension: string): Set<string> {
  const assets = join(WEB_BUILD_DIR, 'assets')
  const files = readdirSync(assets).filter((file) => file.endsWith(extension))
  return new Set(files.flatMap((file) => readFileSync(join(assets, file), 'utf8').match(MANTINE_CLASS) ?? []))
}

describe('the built web app', () => {
  it('has the styles of every Mantine component its code draws', () => {
    const styled = classesIn('.css')
    expect([...classesIn('.js')].filter((name) => !styled.has(name))).toEqual([])
  })
})
