/** Reads a `*_json` text column; an empty column gives the fallback. */
export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback
  return JSON.parse(text) as T
}
