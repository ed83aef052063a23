import { Button, Group, Pagination, Stack, Text, TextInput, ThemeIcon } from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconSearch, IconSearchOff } from '@tabler/icons-react'
import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { useSearchParams } from 'react-router'

const PAGE_SIZE = 25

export type ListPage = ReturnType<typeof useListPage>

/**
 * The search, extra filters and page of a list, kept in the address so that a filtered page can be reloaded
 * or shared. `query` trails the search box by a moment, so that typing a word asks the server once.
 */
export function useListPage(filters: readonly string[] = []) {
  const [params, setParams] = useSearchParams()
  const search = params.get('q') ?? ''
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  const [query] = useDebouncedValue(search.trim(), 250)
  /** Sets one parameter; any change but the page's own goes back to the first page. */
  const setParam = (key: string, value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current)
        if (value) next.set(key, value)
        else next.delete(key)
        if (key !== 'page') next.delete('page')
        return next
      },
      { replace: true },
    )
  return {
    search,
    query,
    page,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
    filter: (key: string) => params.get(key) ?? '',
    filtered: search.trim() !== '' || filters.some((key) => params.has(key)),
    setSearch: (value: string) => setParam('q', value),
    setFilter: setParam,
    setPage: (next: number) => setParam('page', next > 1 ? String(next) : ''),
    clear: () =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current)
          for (const key of ['q', 'page', ...filters]) next.delete(key)
          return next
        },
        { replace: true },
      ),
  }
}

/** The search box of a list; hidden while the list is empty without any search, where it has nothing to find. */
export function ListSearch({
  list,
  label,
  description,
  total,
}: {
  list: ListPage
  label: string
  description?: string
  total: number | undefined
}) {
  if (total === 0 && !list.filtered) return null
  return (
    <TextInput
      label={label}
      description={description}
      type="search"
      leftSection={<IconSearch size={16} aria-hidden />}
      value={list.search}
      onChange={(e) => list.setSearch(e.currentTarget.value)}
      w={{ base: '100%', xs: 320 }}
    />
  )
}

/** "26–50 of 60" and the page links; a page past the end (after a removal, or an old link) moves to the last. */
export function ListFooter({ list, shown, total }: { list: ListPage; shown: number; total: number }) {
  const { t } = useTranslation()
  const pages = Math.ceil(total / list.limit)
  const { page, setPage } = list
  useEffect(() => {
    if (pages > 0 && page > pages) setPage(pages)
  }, [page, pages, setPage])
  if (shown === 0) return null
  return (
    <Group justify="space-between" gap="sm">
      <Text size="sm" c="dimmed" data-testid="list-range">
        {t('lists.range', { from: list.offset + 1, to: list.offset + shown, total })}
      </Text>
      {pages > 1 && (
        <nav aria-label={t('lists.pages')}>
          <Pagination
            total={pages}
            value={Math.min(page, pages)}
            onChange={setPage}
            siblings={1}
            boundaries={1}
            getControlProps={(control) => ({ 'aria-label': t(`common.page_${control}`) })}
            getItemProps={(p) => ({ 'aria-label': t('lists.page_n', { page: p }) })}
          />
        </nav>
      )}
    </Group>
  )
}

/** What a search or filter that matches nothing says, with the way out. */
export function NoResults({ list }: { list: ListPage }) {
  const { t } = useTranslation()
  return (
    <Stack align="center" gap="xs" py="xl" data-testid="no-results">
      <ThemeIcon variant="light" color="gray" size={48} radius="xl" aria-hidden>
        <IconSearchOff size={26} />
      </ThemeIcon>
      <Text fw={600} ta="center" style={{ overflowWrap: 'anywhere' }}>
        {list.search.trim()
          ? t('lists.no_results', { search: list.search.trim() })
          : t('lists.no_results_filtered')}
      </Text>
      <Text size="sm" c="dimmed" ta="center">
        {t('lists.no_results_hint')}
      </Text>
      <Button variant="light" onClick={list.clear}>
        {t('lists.clear')}
      </Button>
    </Stack>
  )
}
