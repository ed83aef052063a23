// The student hidden field of a Tally form is signed with the step's Tally signing secret (which Tally and
// Sillon know, students do not), so a student cannot edit it to answer in a classmate's name.

function base64url(bytes: ArrayBuffer): string {
  let binary = ''
  for (const b of new Uint8Array(bytes)) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

async function mac(secret: string, studentId: string, classId: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const data = new TextEncoder().encode(`sillon-tally:${studentId}:${classId}`)
  return base64url(await crypto.subtle.sign('HMAC', key, data))
}

/** `<student id>.<HMAC>`: the value Sillon puts in the student hidden field of a step's Tally form. */
export async function tallyStudentToken(secret: string, studentId: string, classId: string): Promise<string> {
  return `${studentId}.${await mac(secret, studentId, classId)}`
}

/** The student id a token names, when Sillon issued it for this step; null for anything else. */
export async function readTallyStudentToken(
  secret: string,
  token: string,
  classId: string,
): Promise<string | null> {
  const dot = token.lastIndexOf('.')
  if (dot <= 0) return null
  const studentId = token.slice(0, dot)
  const expected = new TextEncoder().encode(await mac(secret, studentId, classId))
  const given = new TextEncoder().encode(token.slice(dot + 1))
  if (expected.length !== given.length) return null
  let difference = 0
  for (let i = 0; i < expected.length; i++) difference |= (expected[i] as number) ^ (given[i] as number)
  return difference === 0 ? studentId : null
}
