import { type Expression, type SqlBool, sql } from 'kysely'

/** `text` with LIKE's wildcards (`%`, `_`) and the escape character (`\`) taken literally. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/**
 * Whether a text column contains `text`, ignoring case, with `%`, `_` and `\` in `text` matched as
 * themselves: a search for "50%" finds "50% off", not "500 off". The ESCAPE clause is spelled out because
 * SQLite has no default escape character (PostgreSQL's is the same backslash).
 */
export function containsText(column: Expression<string | null>, text: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${column}) like ${`%${escapeLike(text.toLowerCase())}%`} escape '\\'`
}
