// Values that come back differently from each driver, normalised where modules read them.

/** better-auth's own timestamp columns are native on PostgreSQL (Date) and ISO text on SQLite. */
export function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString()
}

/** Flags are stored as 0/1 integers so that one type works on every dialect. */
export function toFlag(value: boolean): number {
  return value ? 1 : 0
}

export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback
  return JSON.parse(text) as T
}
