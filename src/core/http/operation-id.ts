// Generated API clients name their functions after operationIds, so a route that does not name its
// own gets one derived from its method and path alone: the same route always gets the same name,
// whatever other routes exist.

const METHOD_VERBS: Record<string, string> = {
  get: 'get',
  post: 'create',
  put: 'replace',
  patch: 'update',
  delete: 'delete',
}

// A last segment that names an action on what precedes it: `POST /api/courses/{id}/publish`.
const ACTIONS = new Set(['publish', 'archive', 'import', 'export', 'accept', 'preview'])

// Words ending in "s" that name one thing.
const SINGULAR_WORDS = new Set(['settings', 'analytics', 'news'])

const isParam = (segment: string | undefined) => segment?.startsWith('{') ?? false

// Short words ending in "s" are acronyms (LMS, KMS), not plurals.
function isPlural(word: string): boolean {
  return word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word) && !SINGULAR_WORDS.has(word)
}

function singular(word: string): string {
  if (!isPlural(word)) return word
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`
  if (/(ch|sh|x|ss|us)es$/.test(word)) return word.slice(0, -2)
  return word.slice(0, -1)
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1)
}

/**
 * A readable camelCase operationId from a route's method and path: `GET /api/lms/courses` is
 * `listLmsCourses`, `GET /api/lms/courses/{id}` `getLmsCourse`, `POST /api/lms/courses`
 * `createLmsCourse`, `PATCH` `updateLmsCourse`, `PUT` `replaceLmsCourse`, `DELETE` `deleteLmsCourse`,
 * `POST /api/courses/{id}/publish` `publishCourse`, `GET /api/me/badges` `listMyBadges`.
 */
export function deriveOperationId(method: string, path: string): string {
  let segments = path.split('/').filter((segment) => segment !== '' && segment !== 'api')
  let verb = METHOD_VERBS[method.toLowerCase()] ?? method.toLowerCase()
  const last = segments.at(-1)
  const action = last !== undefined && ACTIONS.has(last)
  if (action) {
    verb = last
    segments = segments.slice(0, -1)
  }
  const endsWithParam = isParam(segments.at(-1))
  const nouns = segments.filter((segment) => !isParam(segment))
  const words = segments.flatMap((segment, i) => {
    if (isParam(segment)) return []
    if (segment === 'me') return [i === segments.length - 1 ? 'me' : 'my']
    const parts = segment.split(/[-_.]/).filter(Boolean)
    const isLast = i === segments.length - 1
    // One item of a collection: `courses/{id}`, the course a POST creates, the course an action acts on.
    const oneItem = isParam(segments[i + 1]) || (isLast && (action || verb === 'create'))
    if (oneItem) parts.push(singular(parts.pop() ?? ''))
    return parts
  })
  const lastNoun = nouns.at(-1) ?? ''
  if (verb === 'get' && !endsWithParam && isPlural(lastNoun.split(/[-_.]/).at(-1) ?? '')) verb = 'list'
  // A collection named in the singular (`/student`, `/student/{id}`): its list is `get…`, so the
  // item read says how it is found.
  const byId = verb === 'get' && endsWithParam && !isPlural(lastNoun.split(/[-_.]/).at(-1) ?? '')
  return [verb, ...words.map(capitalize), ...(byId ? ['ById'] : [])].join('')
}
