import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { ApiError, api, data, type Schemas } from '../api/client.ts'
import i18n, { changeLanguage } from '../i18n/index.ts'

export type Me = Schemas['Me']
export type Role = NonNullable<Me['role']>

export const meKey = ['me'] as const

/** The signed-in member (null when signed out); the language follows their choice, then their school's. */
export function useMe() {
  const query = useQuery({
    queryKey: meKey,
    queryFn: async (): Promise<Me | null> => {
      try {
        return data(await api.GET('/api/auth/me'))
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null
        throw err
      }
    },
    staleTime: 60_000,
  })
  const me = query.data
  useEffect(() => {
    const language = me && accountLanguage(me)
    if (language && i18n.language !== language) void changeLanguage(language)
  }, [me])
  return query
}

/** The language an account reads: its own choice, else its school's. */
export const accountLanguage = (me: Me) => me.user.locale ?? me.organisation?.default_locale

/**
 * Who is signed in as the server wrote it into the page (src/entry/web-app.ts): the member, null when
 * signed out, undefined when the page does not say (then the app asks the API).
 */
export function sessionFromPage(): Me | null | undefined {
  const block = document.getElementById('sillon-session')
  if (!block?.textContent) return undefined
  try {
    return JSON.parse(block.textContent) as Me | null
  } catch {
    return undefined
  }
}

/** After sign-in, sign-out or a change of school, everything cached belonged to someone else. */
export function useResetSession() {
  const client = useQueryClient()
  return () => client.resetQueries()
}

export const isStaff = (role: Role | null | undefined) =>
  role === 'owner' || role === 'admin' || role === 'instructor' || role === 'support'
export const isSchoolAdmin = (role: Role | null | undefined) => role === 'owner' || role === 'admin'
