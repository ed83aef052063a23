import { Alert, Button, Center, Group, Loader, Stack } from '@mantine/core'
import type { UseQueryResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from '../api/client.ts'

/** The message a person can act on, for any failure of a call. */
export function useErrorMessage() {
  const { t } = useTranslation()
  return (err: unknown) => {
    if (err instanceof ApiError) {
      const key = `errors.${err.code}`
      return t(key, { defaultValue: err.message || t('errors.generic') })
    }
    return t('errors.network')
  }
}

/** Loading and error states of a query, then its data. */
export function QueryState<T>({
  query,
  children,
}: {
  query: UseQueryResult<T>
  children: (data: T) => ReactNode
}) {
  const { t } = useTranslation()
  const message = useErrorMessage()
  if (query.isPending) {
    return (
      <Center py="xl" aria-busy="true">
        {/* A status, so that its name is allowed (axe: no aria-label on a bare span) and announced. */}
        <Loader role="status" aria-label={t('common.loading')} />
      </Center>
    )
  }
  if (query.isError) {
    return (
      <Alert color="red" title={t('common.error_title')} role="alert">
        <Stack gap="xs" align="flex-start">
          {message(query.error)}
          <Button size="xs" variant="light" color="red" onClick={() => void query.refetch()}>
            {t('common.retry')}
          </Button>
        </Stack>
      </Alert>
    )
  }
  return <>{children(query.data)}</>
}

/** "Show more" under a list the server pages by cursor, while it has more. */
export function LoadMore({
  query,
  label,
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> }
  label: string
}) {
  if (!query.hasNextPage) return null
  return (
    <Group>
      <Button variant="light" loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
        {label}
      </Button>
    </Group>
  )
}
