import { Button, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core'
import { IconDownload } from '@tabler/icons-react'
import { useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../../api/client.ts'
import { ListFooter, ListSearch, NoResults, useListPage } from '../../components/list-page.tsx'
import { QueryState } from '../../components/query-state.tsx'
import { useFormat } from '../../hooks/format.ts'
import type { Me } from '../../hooks/session.ts'

type Entry = Schemas['AuditEntry']
type Action = Entry['action']

const FILTERS = ['action', 'from', 'to', 'scope'] as const

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))

/** What changed, in words: "rôle : élève → enseignant", "xp.quiz_passed : 50 → 60". */
function useDetails() {
  const { t } = useTranslation()
  const role = (value: unknown) => (typeof value === 'string' ? t(`roles.${value}`, value) : text(value))
  const status = (value: unknown) => t(`audit.statuses.${text(value)}`, text(value))
  return (entry: Entry): string[] => {
    const d = entry.details as Record<string, unknown>
    const lines: string[] = []
    if (entry.action === 'member.role_changed') {
      lines.push(t('audit.details.role_change', { from: role(d.from), to: role(d.to) }))
    } else if (typeof d.role === 'string') {
      lines.push(t('audit.details.role', { role: role(d.role) }))
    }
    if (typeof d.class === 'string') lines.push(t('audit.details.class', { name: d.class }))
    if (typeof d.tokens_revoked === 'number' && d.tokens_revoked > 0) {
      lines.push(t('audit.details.tokens_revoked', { count: d.tokens_revoked }))
    }
    if (typeof d.owner === 'string') lines.push(t('audit.details.token_owner', { email: d.owner }))
    if (entry.action.startsWith('course.') && typeof d.from === 'string') {
      lines.push(t('audit.details.status_from', { status: status(d.from) }))
    }
    if (typeof d.steps === 'number') lines.push(t('audit.details.steps', { count: d.steps }))
    const changes = d.changes as Record<string, { from: unknown; to: unknown }> | undefined
    for (const [name, change] of Object.entries(changes ?? {})) {
      lines.push(t('audit.details.setting_change', { name, from: text(change.from), to: text(change.to) }))
    }
    return lines
  }
}

function Who({ actor }: { actor: Entry['actor'] }) {
  const { t } = useTranslation()
  if (actor.kind === 'cli' || actor.kind === 'system')
    return <Text c="dimmed">{t(`audit.actors.${actor.kind}`)}</Text>
  return (
    <Stack gap={0}>
      <Text size="sm">{actor.label ?? actor.id}</Text>
      {actor.kind === 'superadmin' && (
        <Text size="xs" c="dimmed">
          {t('audit.actors.superadmin')}
        </Text>
      )}
    </Stack>
  )
}

/** The schools of the platform, for a platform administrator choosing whose log to read. */
function useSchools(enabled: boolean) {
  return useQuery({
    queryKey: ['admin-organisations'],
    queryFn: async () =>
      data(await api.GET('/api/admin/organisations')).data.flatMap((s) =>
        s ? [{ id: s.id, name: s.name }] : [],
      ),
    enabled,
  })
}

/**
 * The school's audit log, for its owners: who did what, when and from where, filtered in the address.
 * A platform administrator also reads the platform's own entries, another school's or every school's.
 */
export function AuditPage({ me }: { me: Me }) {
  const { t, i18n } = useTranslation()
  const f = useFormat()
  const details = useDetails()
  const list = useListPage(FILTERS)
  const operator = me.user.is_superadmin
  // '' this school; 'platform' the platform's own entries; 'all' every entry; else a school's id.
  const scope = operator ? list.filter('scope') : ''
  const schools = useSchools(operator)
  const schoolName = new Map((schools.data ?? []).map((s) => [s.id, s.name]))
  const filters = {
    query: list.query || undefined,
    action: (list.filter('action') || undefined) as Action | undefined,
    from: list.filter('from') || undefined,
    to: list.filter('to') || undefined,
  }
  const orgId = scope && scope !== 'all' ? scope : undefined
  const query = useQuery({
    queryKey: ['audit', scope, filters, list.page],
    queryFn: async () => {
      const page = { ...filters, limit: list.limit, offset: list.offset }
      return scope
        ? data(await api.GET('/api/platform/audit', { params: { query: { ...page, org_id: orgId } } }))
        : data(await api.GET('/api/audit', { params: { query: page } }))
    },
    placeholderData: (previous) => previous,
  })
  const csv = new URLSearchParams(
    Object.entries({ ...filters, ...(scope ? { org_id: orgId } : {}) }).flatMap(([key, value]) =>
      value ? [[key, value]] : [],
    ),
  ).toString()
  const csvPath = scope ? '/api/platform/audit.csv' : '/api/audit.csv'
  const byName = new Intl.Collator(i18n.language)
  // The actions are the keys of their texts; the platform's own (superadmins) never show in a school.
  const groups = t('audit.actions', { returnObjects: true }) as Record<string, Record<string, string>>
  const actionOptions = Object.entries(groups)
    .filter(([group]) => scope === 'platform' || scope === 'all' || group !== 'superadmin')
    .flatMap(([group, names]) =>
      Object.entries(names).map(([key, label]) => ({ value: `${group}.${key}`, label })),
    )
    .sort((a, b) => byName.compare(a.label, b.label))
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('audit.title')}
        </Title>
        <Button
          component="a"
          href={`${csvPath}${csv ? `?${csv}` : ''}`}
          download
          variant="light"
          leftSection={<IconDownload size={18} aria-hidden />}
        >
          {t('audit.download')}
        </Button>
      </Group>
      <Text c="dimmed" maw={720}>
        {t('audit.intro')}
      </Text>
      <Group align="flex-end">
        {operator && (
          <NativeSelect
            label={t('audit.scope')}
            value={scope}
            onChange={(e) => list.setFilter('scope', e.currentTarget.value)}
            data={[
              { value: '', label: t('audit.scope_school', { name: me.organisation?.name ?? '' }) },
              { value: 'platform', label: t('audit.scope_platform') },
              { value: 'all', label: t('audit.scope_all') },
              ...(schools.data ?? [])
                .filter((s) => s.id !== me.organisation?.id)
                .map((s) => ({ value: s.id, label: s.name }))
                .sort((a, b) => byName.compare(a.label, b.label)),
            ]}
          />
        )}
        <ListSearch
          list={list}
          label={t('audit.search')}
          description={t('audit.search_hint')}
          total={query.data?.total}
        />
        <NativeSelect
          label={t('audit.action_filter')}
          data={[{ value: '', label: t('audit.all_actions') }, ...actionOptions]}
          value={list.filter('action')}
          onChange={(e) => list.setFilter('action', e.currentTarget.value)}
        />
        <TextInput
          type="date"
          label={t('audit.from')}
          value={list.filter('from')}
          onChange={(e) => list.setFilter('from', e.currentTarget.value)}
        />
        <TextInput
          type="date"
          label={t('audit.to')}
          value={list.filter('to')}
          onChange={(e) => list.setFilter('to', e.currentTarget.value)}
        />
      </Group>
      <QueryState query={query}>
        {({ data: entries, total }) =>
          total === 0 ? (
            list.filtered ? (
              <NoResults list={list} />
            ) : (
              <Text c="dimmed">{t('audit.empty')}</Text>
            )
          ) : (
            <Stack gap="sm">
              <Table.ScrollContainer minWidth={860}>
                <Table striped data-testid="audit-log">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('audit.when')}</Table.Th>
                      {scope === 'all' && <Table.Th scope="col">{t('audit.school')}</Table.Th>}
                      <Table.Th scope="col">{t('audit.who')}</Table.Th>
                      <Table.Th scope="col">{t('audit.what')}</Table.Th>
                      <Table.Th scope="col">{t('audit.target')}</Table.Th>
                      <Table.Th scope="col">{t('audit.where')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {entries.map((entry) => (
                      <Table.Tr key={entry.id}>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(entry.occurred_at)}</Table.Td>
                        {scope === 'all' && (
                          <Table.Td>
                            {entry.org_id
                              ? (schoolName.get(entry.org_id) ?? entry.org_id)
                              : t('audit.scope_platform')}
                          </Table.Td>
                        )}
                        <Table.Td>
                          <Who actor={entry.actor} />
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm" fw={500}>
                            {t(`audit.actions.${entry.action}`, entry.action)}
                          </Text>
                          {details(entry).map((line) => (
                            <Text key={line} size="xs" c="dimmed">
                              {line}
                            </Text>
                          ))}
                        </Table.Td>
                        <Table.Td>{entry.target.label ?? entry.target.id ?? ''}</Table.Td>
                        <Table.Td>
                          {entry.ip ? (
                            <Text size="sm" title={entry.user_agent ?? undefined}>
                              {entry.ip}
                            </Text>
                          ) : (
                            <Text size="sm" c="dimmed">
                              {entry.actor.kind === 'member' || entry.actor.kind === 'superadmin'
                                ? t('audit.unknown_address')
                                : '—'}
                            </Text>
                          )}
                          {entry.user_agent && (
                            <Text size="xs" c="dimmed" lineClamp={1} maw={220}>
                              {entry.user_agent}
                            </Text>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <ListFooter list={list} shown={entries.length} total={total} />
            </Stack>
          )
        }
      </QueryState>
    </Stack>
  )
}
