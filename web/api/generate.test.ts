import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { API_TYPES_FILE, generateApiTypes } from './generate.ts'

describe("the web client's API types", () => {
  it('match the OpenAPI document the server publishes (run `npm run api:types` when they do not)', async () => {
    expect(readFileSync(API_TYPES_FILE, 'utf8')).toBe(await generateApiTypes())
  })
})
