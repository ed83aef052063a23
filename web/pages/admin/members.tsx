import {
  ActionIcon,
  Alert,
  Button,
  Card,
  CopyButton,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { useDisclosure } from '@mantine/hooks'
import {
  IconCheck,
  IconCopy,
  IconDatabase,
  IconFileImport,
  IconMailPlus,
  IconTrash,
} from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../../api/client.ts'
import { ListFooter, ListSearch, NoResults, useListPage } from '../../components/list-page.tsx'
import { notify } from '../../components/notify.ts'
import { PersonAvatar } from '../../components/person-avatar.tsx'
import { MemberDataModal } from '../../components/personal-data.tsx'
import { QueryState, useErrorMessage } from '../../components/query-state.tsx'
import { useFormat } from '../../hooks/format.ts'
import { isSchoolAdmin, type Me, type Role } from '../../hooks/session.ts'
import { ImportModal } from './member-import.tsx'

const ROLES: Role[] = ['student', 'instructor', 'support', 'admin', 'owner']

function useRoleOptions() {
  const { t } = useTranslation()
  return ROLES.map((role) => ({ value: role, label: t(`roles.${role}`) }))
}

/**
 * Adds a member by e-mail: always an invitation, whose single-use link is shown once, to copy and send.
 * Whether the address already has an account in another school is never shown (nor known here).
 */
export function InviteModal({
  opened,
  onClose,
  classId = '',
}: {
  opened: boolean
  onClose: () => void
  /** The class a student is invited into, chosen beforehand (from the class's page). */
  classId?: string
}) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const roles = useRoleOptions()
  const [link, setLink] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const form = useForm({
    initialValues: { email: '', name: '', role: 'student' as Role, expires_in_days: 7, class_id: classId },
    validate: {
      email: (v) => (/^\S+@\S+\.\S+$/.test(v) ? null : t('sign_in.email_invalid')),
      name: (v) => (v.trim() ? null : t('members.name_required')),
    },
  })
  const classes = useQuery({
    queryKey: ['teams', 'all'],
    queryFn: async () => data(await api.GET('/api/teams', { params: { query: { limit: 500 } } })),
    enabled: opened,
  })
  const close = () => {
    setLink(null)
    setError(null)
    form.reset()
    onClose()
  }
  const submit = form.onSubmit(async (values) => {
    setError(null)
    try {
      const body = {
        ...values,
        name: values.name.trim(),
        class_id: values.role === 'student' && values.class_id ? values.class_id : null,
      }
      const created = data(await api.POST('/api/members', { body }))
      setLink(created.url)
      await client.invalidateQueries({ queryKey: ['invitations'] })
    } catch (err) {
      setError(errorMessage(err))
    }
  })
  return (
    <Modal opened={opened} onClose={close} title={t('members.invite')}>
      {link ? (
        <Stack>
          <Alert color="sillon" icon={<IconCheck />}>
            {t('members.invited', { email: form.values.email })}
          </Alert>
          <Text size="sm">{t('members.invited_explained')}</Text>
          <TextInput
            label={t('members.invitation_link')}
            value={link}
            readOnly
            data-testid="invitation-link"
          />
          <Text size="sm" c="dimmed">
            {t('members.link_once')}
          </Text>
          <Group>
            <CopyButton value={link}>
              {({ copied, copy }) => (
                <Button leftSection={<IconCopy size={16} />} onClick={copy} variant="light">
                  {copied ? t('members.copied') : t('members.copy')}
                </Button>
              )}
            </CopyButton>
            <Button onClick={close}>{t('common.close')}</Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <TextInput
              label={t('members.email')}
              type="email"
              data-autofocus
              {...form.getInputProps('email')}
            />
            <TextInput
              label={t('members.invitee_name')}
              description={t('members.invitee_name_hint')}
              autoComplete="off"
              {...form.getInputProps('name')}
            />
            <NativeSelect label={t('members.role')} data={roles} {...form.getInputProps('role')} />
            {form.values.role === 'student' && (
              <NativeSelect
                label={t('people.class')}
                description={t('people.class_hint')}
                data={[
                  { value: '', label: t('people.no_class') },
                  ...(classes.data ?? []).map((c) => ({ value: c.id, label: c.name })),
                ]}
                {...form.getInputProps('class_id')}
              />
            )}
            <NumberInput
              label={t('members.expires_in_days')}
              min={1}
              max={90}
              {...form.getInputProps('expires_in_days')}
            />
            {error && (
              <Text c="red.8" size="sm" role="alert">
                {error}
              </Text>
            )}
            <Button type="submit" loading={form.submitting} leftSection={<IconMailPlus size={16} />}>
              {t('members.send_invitation')}
            </Button>
          </Stack>
        </form>
      )}
    </Modal>
  )
}

function Invitations() {
  const { t } = useTranslation()
  const f = useFormat()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const query = useQuery({
    queryKey: ['invitations'],
    queryFn: async () => data(await api.GET('/api/invitations')).data,
  })
  const revoke = async (invitation: Schemas['Invitation']) => {
    try {
      await api.DELETE('/api/invitations/{id}', { params: { path: { id: invitation.id } } })
      await client.invalidateQueries({ queryKey: ['invitations'] })
    } catch (err) {
      notify(errorMessage(err), 'red')
    }
  }
  return (
    <QueryState query={query}>
      {(invitations) =>
        invitations.length === 0 ? (
          <Text c="dimmed">{t('members.no_invitations')}</Text>
        ) : (
          <Table.ScrollContainer minWidth={480}>
            <Table striped data-testid="invitations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('members.email')}</Table.Th>
                  <Table.Th scope="col">{t('members.name')}</Table.Th>
                  <Table.Th scope="col">{t('members.role')}</Table.Th>
                  <Table.Th scope="col">{t('people.class')}</Table.Th>
                  <Table.Th scope="col">{t('members.expires')}</Table.Th>
                  <Table.Th scope="col">{t('teach.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {invitations.map((i) => (
                  <Table.Tr key={i.id}>
                    <Table.Td>{i.email}</Table.Td>
                    <Table.Td>{i.name ?? '—'}</Table.Td>
                    <Table.Td>{i.role ? t(`roles.${i.role}`) : '—'}</Table.Td>
                    <Table.Td>{i.class?.name ?? '—'}</Table.Td>
                    <Table.Td>{f.dateTime(i.expires_at)}</Table.Td>
                    <Table.Td>
                      <Button size="compact-sm" variant="subtle" color="red" onClick={() => void revoke(i)}>
                        {t('members.revoke')}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )
      }
    </QueryState>
  )
}

/** The school's members with their roles; admins change roles, remove members and invite new ones. */
export function MembersPage({ me }: { me: Me }) {
  const { t } = useTranslation()
  const f = useFormat()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const roles = useRoleOptions()
  const admin = isSchoolAdmin(me.role)
  const [opened, { open, close }] = useDisclosure()
  const [importing, importer] = useDisclosure()
  const list = useListPage(['role'])
  const role = list.filter('role')
  const [removing, setRemoving] = useState<Schemas['Member'] | null>(null)
  const [dataOf, setDataOf] = useState<Schemas['Member'] | null>(null)
  const query = useQuery({
    queryKey: ['members', role, list.query, list.page],
    queryFn: async () =>
      data(
        await api.GET('/api/members', {
          params: {
            query: {
              role: (role || undefined) as Role | undefined,
              query: list.query || undefined,
              limit: list.limit,
              offset: list.offset,
            },
          },
        }),
      ),
    placeholderData: (previous) => previous,
  })
  const refresh = () => client.invalidateQueries({ queryKey: ['members'] })
  const changeRole = async (member: Schemas['Member'], next: Role) => {
    try {
      await api.PATCH('/api/members/{user_id}', {
        params: { path: { user_id: member.user_id } },
        body: { role: next },
      })
      await refresh()
    } catch (err) {
      notify(errorMessage(err), 'red')
    }
  }
  const remove = async () => {
    if (!removing) return
    try {
      await api.DELETE('/api/members/{user_id}', { params: { path: { user_id: removing.user_id } } })
      await refresh()
    } catch (err) {
      notify(errorMessage(err), 'red')
    } finally {
      setRemoving(null)
    }
  }
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('members.title')}
        </Title>
        {admin && (
          <Group gap="sm">
            <Button variant="light" leftSection={<IconFileImport size={16} />} onClick={importer.open}>
              {t('people.import')}
            </Button>
            <Button leftSection={<IconMailPlus size={16} />} onClick={open}>
              {t('members.invite')}
            </Button>
          </Group>
        )}
      </Group>
      <InviteModal opened={opened} onClose={close} />
      <ImportModal opened={importing} onClose={importer.close} />
      <Group align="flex-end">
        <ListSearch list={list} label={t('lists.search_members')} total={query.data?.total} />
        <NativeSelect
          label={t('members.role')}
          data={[{ value: '', label: t('members.all_roles') }, ...roles]}
          value={role}
          onChange={(e) => list.setFilter('role', e.currentTarget.value)}
        />
      </Group>
      <QueryState query={query}>
        {({ data: members, total }) =>
          total === 0 && list.filtered ? (
            <NoResults list={list} />
          ) : (
            <Stack gap="sm">
              <Table.ScrollContainer minWidth={560}>
                <Table striped highlightOnHover data-testid="members">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('members.name')}</Table.Th>
                      <Table.Th scope="col">{t('members.email')}</Table.Th>
                      <Table.Th scope="col">{t('members.role')}</Table.Th>
                      <Table.Th scope="col">{t('members.since')}</Table.Th>
                      {admin && <Table.Th scope="col">{t('teach.actions')}</Table.Th>}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {members.map((m) => (
                      <Table.Tr key={m.user_id}>
                        <Table.Td>
                          <Group gap="xs" wrap="nowrap">
                            <PersonAvatar name={m.name} image={m.image} size={28} />
                            {m.name}
                          </Group>
                        </Table.Td>
                        <Table.Td>{m.email}</Table.Td>
                        <Table.Td>
                          {admin && m.user_id !== me.user.id ? (
                            <NativeSelect
                              aria-label={t('members.role_of', { name: m.name })}
                              size="xs"
                              data={roles}
                              value={m.role ?? ''}
                              onChange={(e) => void changeRole(m, e.currentTarget.value as Role)}
                            />
                          ) : m.role ? (
                            t(`roles.${m.role}`)
                          ) : (
                            '—'
                          )}
                        </Table.Td>
                        <Table.Td>{f.date(m.created_at)}</Table.Td>
                        {admin && (
                          <Table.Td>
                            <Group gap={4} wrap="nowrap">
                              {m.user_id !== me.user.id && (
                                <Tooltip label={t('privacy.member.title')}>
                                  <ActionIcon
                                    variant="subtle"
                                    aria-label={t('privacy.member.open', { name: m.name })}
                                    onClick={() => setDataOf(m)}
                                  >
                                    <IconDatabase size={16} />
                                  </ActionIcon>
                                </Tooltip>
                              )}
                              {m.user_id !== me.user.id && (
                                <Tooltip label={t('members.remove')}>
                                  <ActionIcon
                                    variant="subtle"
                                    color="red"
                                    aria-label={t('members.remove_name', { name: m.name })}
                                    onClick={() => setRemoving(m)}
                                  >
                                    <IconTrash size={16} />
                                  </ActionIcon>
                                </Tooltip>
                              )}
                            </Group>
                          </Table.Td>
                        )}
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <ListFooter list={list} shown={members.length} total={total} />
            </Stack>
          )
        }
      </QueryState>
      {admin && (
        <Card withBorder>
          <Title order={2} size="h4" mb="sm">
            {t('members.pending')}
          </Title>
          <Invitations />
        </Card>
      )}
      <MemberDataModal
        key={dataOf?.user_id ?? 'none'}
        member={dataOf}
        onClose={() => setDataOf(null)}
        onErased={() => {
          setDataOf(null)
          void refresh()
        }}
      />
      <Modal opened={removing !== null} onClose={() => setRemoving(null)} title={t('members.remove')}>
        <Stack>
          <Text>{t('members.remove_confirm', { name: removing?.name ?? '' })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRemoving(null)}>
              {t('common.cancel')}
            </Button>
            <Button color="red" onClick={() => void remove()}>
              {t('members.remove')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  )
}
