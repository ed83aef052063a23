import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { ApiError, api, data, type Schemas } from '../api/client.ts'
import i18n from '../i18n/index.ts'

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
    const language = me?.user.locale ?? me?.organisation?.default_locale
    if (language && i18n.language !== language) void i18n.changeLanguage(language)
  }, [me])
  return query
}

/** After sign-in, sign-out or a change of school, everything cached belonged to someone else. */
export function useResetSession() {
  const client = useQueryClient()
  return () => client.resetQueries()
}

export const isStaff = (role: Role | null | undefined) =>
  role === 'owner' || role === 'admin' || role === 'instructor' || role === 'support'
export const isSchoolAdmin = (role: Role | null | undefined) => role === 'owner' || role === 'admin'
