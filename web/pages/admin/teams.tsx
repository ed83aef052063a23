import { Button, Group, Modal, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { IconMailPlus, IconPlus } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas, withTotal } from '../../api/client.ts'
import { ListFooter, ListSearch, NoResults, useListPage } from '../../components/list-page.tsx'
import { MultiPicker } from '../../components/multi-picker.tsx'
import { QueryState, useErrorMessage } from '../../components/query-state.tsx'
import { isSchoolAdmin, type Me } from '../../hooks/session.ts'
import { InviteModal } from './members.tsx'

type Team = Schemas['Team']

/** The school's students, for pickers: everyone with a student profile, by name. */
function useStudents() {
  return useQuery({
    queryKey: ['students'],
    queryFn: async () => data(await api.GET('/api/lms/students', { params: { query: { limit: 500 } } })),
    staleTime: 60_000,
  })
}

function TeamModal({ team, onClose }: { team: Team | 'new' | null; onClose: () => void }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const students = useStudents()
  const [error, setError] = useState<string | null>(null)
  const existing = team && team !== 'new' ? team : null
  const form = useForm({
    initialValues: {
      name: existing?.name ?? '',
      description: existing?.description ?? '',
      student_ids: existing?.student_ids ?? [],
    },
    validate: { name: (v) => (v.trim() ? null : t('teams.name_required')) },
  })
  const submit = form.onSubmit(async (values) => {
    setError(null)
    const body = {
      name: values.name.trim(),
      description: values.description || null,
      student_ids: values.student_ids,
    }
    try {
      if (existing) await api.PATCH('/api/teams/{id}', { params: { path: { id: existing.id } }, body })
      else await api.POST('/api/teams', { body })
      await client.invalidateQueries({ queryKey: ['teams'] })
      onClose()
    } catch (err) {
      setError(errorMessage(err))
    }
  })
  return (
    <Modal opened={team !== null} onClose={onClose} title={existing ? t('teams.edit') : t('teams.new')}>
      <form onSubmit={submit}>
        <Stack>
          <TextInput label={t('teams.name')} data-autofocus {...form.getInputProps('name')} />
          <Textarea
            label={t('teams.description')}
            autosize
            minRows={2}
            {...form.getInputProps('description')}
          />
          <MultiPicker
            label={t('teams.students')}
            searchable
            data={(students.data ?? []).map((s) => ({ value: s.id, label: s.name ?? s.id }))}
            nothingFoundMessage={t('teams.no_match')}
            {...form.getInputProps('student_ids')}
          />
          {error && (
            <Text c="red.8" size="sm" role="alert">
              {error}
            </Text>
          )}
          <Button type="submit" loading={form.submitting}>
            {t('common.save')}
          </Button>
        </Stack>
      </form>
    </Modal>
  )
}

/** Classes and groups: whole teams are enrolled in courses and ranked on their own leaderboard. */
export function TeamsPage({ me }: { me: Me }) {
  const { t } = useTranslation()
  const admin = isSchoolAdmin(me.role)
  const [editing, setEditing] = useState<Team | 'new' | null>(null)
  const [inviting, setInviting] = useState<Team | null>(null)
  const list = useListPage()
  const query = useQuery({
    queryKey: ['teams', 'page', list.query, list.page],
    queryFn: async () =>
      withTotal(
        await api.GET('/api/teams', {
          params: { query: { query: list.query || undefined, limit: list.limit, offset: list.offset } },
        }),
      ),
    placeholderData: (previous) => previous,
  })
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('teams.title')}
        </Title>
        {admin && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            {t('teams.new')}
          </Button>
        )}
      </Group>
      {editing !== null && <TeamModal team={editing} onClose={() => setEditing(null)} />}
      {inviting && <InviteModal opened classId={inviting.id} onClose={() => setInviting(null)} />}
      <ListSearch list={list} label={t('lists.search_classes')} total={query.data?.total} />
      <QueryState query={query}>
        {({ data: teams, total }) =>
          total === 0 ? (
            list.filtered ? (
              <NoResults list={list} />
            ) : (
              <Text c="dimmed">{t('teams.none')}</Text>
            )
          ) : (
            <Stack gap="sm">
              <Table.ScrollContainer minWidth={420}>
                <Table striped data-testid="teams">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('teams.name')}</Table.Th>
                      <Table.Th scope="col">{t('teams.students')}</Table.Th>
                      {admin && <Table.Th scope="col">{t('teach.actions')}</Table.Th>}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {teams.map((team) => (
                      <Table.Tr key={team.id}>
                        <Table.Td>
                          <Text fw={500}>{team.name}</Text>
                          {team.description && (
                            <Text size="xs" c="dimmed">
                              {team.description}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>{t('overview.students', { count: team.student_ids.length })}</Table.Td>
                        {admin && (
                          <Table.Td>
                            <Group gap="xs" wrap="nowrap">
                              <Button size="compact-sm" variant="light" onClick={() => setEditing(team)}>
                                {t('teach.edit')}
                              </Button>
                              <Button
                                size="compact-sm"
                                variant="subtle"
                                leftSection={<IconMailPlus size={14} />}
                                aria-label={t('people.invite_to_class', { name: team.name })}
                                onClick={() => setInviting(team)}
                              >
                                {t('members.invite')}
                              </Button>
                            </Group>
                          </Table.Td>
                        )}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <ListFooter list={list} shown={teams.length} total={total} />
            </Stack>
          )
        }
      </QueryState>
    </Stack>
  )
}
