import {
  Button,
  Code,
  Group,
  Modal,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { useDisclosure } from '@mantine/hooks'
import { IconKey, IconPlus } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../../api/client.ts'
import { ListFooter, ListSearch, NoResults, useListPage } from '../../components/list-page.tsx'
import { notify } from '../../components/notify.ts'
import { QueryState, useErrorMessage } from '../../components/query-state.tsx'
import {
  ConfirmModal,
  FormError,
  fieldErrors,
  SecretReveal,
  useWholeNumber,
} from '../../components/settings/forms.tsx'
import { useFormat } from '../../hooks/format.ts'

type Token = Schemas['ApiToken']

const tokensKey = ['api-tokens', 'all'] as const

/** Creates a token for the signed-in member; the secret is shown once, then never again. */
function NewToken({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const wholeNumber = useWholeNumber()
  const [secret, setSecret] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const form = useForm<{ name: string; expires_in_days: number | string }>({
    initialValues: { name: '', expires_in_days: '' },
    validate: {
      name: (v) => (v.trim() ? null : t('settings.tokens.name_required')),
      expires_in_days: (v) => (v === '' ? null : wholeNumber(1, 3650)(v)),
    },
  })
  const close = () => {
    setSecret(null)
    setError(null)
    form.reset()
    onClose()
  }
  const submit = form.onSubmit(async ({ name, expires_in_days }) => {
    setError(null)
    try {
      const body = {
        name: name.trim(),
        ...(typeof expires_in_days === 'number' ? { expires_in_days } : {}),
      }
      const created = data(await api.POST('/api/tokens', { body }))
      setSecret(created.token)
      await client.invalidateQueries({ queryKey: tokensKey })
    } catch (err) {
      const fields = fieldErrors(err)
      if (fields) form.setErrors(fields)
      setError(errorMessage(err))
    }
  })
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={t('settings.tokens.new')}
      closeButtonProps={{ 'aria-label': t('common.close') }}
    >
      {secret ? (
        <SecretReveal
          title={t('settings.tokens.secret_title')}
          warning={t('settings.tokens.secret_warning')}
          label={t('settings.tokens.secret_label')}
          value={secret}
          doneLabel={t('settings.tokens.done')}
          onDone={close}
        />
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <TextInput
              label={t('settings.tokens.name')}
              description={t('settings.tokens.name_description')}
              required
              data-autofocus
              {...form.getInputProps('name')}
            />
            <NumberInput
              label={t('settings.tokens.expires_in_days')}
              description={t('settings.tokens.expires_description')}
              min={1}
              max={3650}
              allowDecimal={false}
              clampBehavior="none"
              {...form.getInputProps('expires_in_days')}
            />
            <FormError message={error} />
            <Button type="submit" loading={form.submitting} leftSection={<IconKey size={16} />}>
              {t('settings.tokens.create')}
            </Button>
          </Stack>
        </form>
      )}
    </Modal>
  )
}

function Expiry({ at }: { at: string | null }) {
  const { t } = useTranslation()
  const f = useFormat()
  if (!at) return <Text c="dimmed">{t('settings.tokens.no_expiry')}</Text>
  if (new Date(at) <= new Date()) return <Text c="red.8">{t('settings.tokens.expired')}</Text>
  return <>{f.date(at)}</>
}

/** Every active API token of the school, for owners and admins to follow and revoke. */
export function TokensPage() {
  const { t } = useTranslation()
  const f = useFormat()
  const client = useQueryClient()
  const [creating, { open, close }] = useDisclosure()
  const [revoking, setRevoking] = useState<Token | null>(null)
  const list = useListPage()
  const query = useQuery({
    queryKey: [...tokensKey, list.query, list.page],
    queryFn: async () =>
      data(
        await api.GET('/api/tokens', {
          params: {
            query: { all: 'true', query: list.query || undefined, limit: list.limit, offset: list.offset },
          },
        }),
      ),
    placeholderData: (previous) => previous,
  })
  const revoke = async (token: Token) => {
    await api.DELETE('/api/tokens/{id}', { params: { path: { id: token.id } } })
    await client.invalidateQueries({ queryKey: tokensKey })
    notify(t('settings.tokens.revoked'))
  }
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('settings.tokens.title')}
        </Title>
        <Button leftSection={<IconPlus size={16} />} onClick={open}>
          {t('settings.tokens.new')}
        </Button>
      </Group>
      <Text c="dimmed" maw={720}>
        {t('settings.tokens.intro')}
      </Text>
      <NewToken opened={creating} onClose={close} />
      <ConfirmModal
        opened={revoking !== null}
        onClose={() => setRevoking(null)}
        title={t('settings.tokens.revoke_title')}
        confirmLabel={t('settings.tokens.revoke')}
        onConfirm={() => (revoking ? revoke(revoking) : Promise.resolve())}
      >
        {revoking && t('settings.tokens.revoke_text', { name: revoking.name, prefix: revoking.prefix })}
      </ConfirmModal>
      <ListSearch
        list={list}
        label={t('lists.search_tokens')}
        description={t('lists.search_tokens_hint')}
        total={query.data?.total}
      />
      <QueryState query={query}>
        {({ data: tokens, total }) =>
          total === 0 ? (
            list.filtered ? (
              <NoResults list={list} />
            ) : (
              <Text c="dimmed">{t('settings.tokens.empty')}</Text>
            )
          ) : (
            <Stack gap="sm">
              <Table.ScrollContainer minWidth={760}>
                <Table striped data-testid="tokens">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('settings.tokens.name')}</Table.Th>
                      <Table.Th scope="col">{t('settings.tokens.member')}</Table.Th>
                      <Table.Th scope="col">{t('settings.tokens.prefix')}</Table.Th>
                      <Table.Th scope="col">{t('settings.tokens.created')}</Table.Th>
                      <Table.Th scope="col">{t('settings.tokens.last_used')}</Table.Th>
                      <Table.Th scope="col">{t('settings.tokens.expires')}</Table.Th>
                      <Table.Th scope="col">{t('settings.actions')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {tokens.map((token) => (
                      <Table.Tr key={token.id}>
                        <Table.Td fw={500}>{token.name}</Table.Td>
                        <Table.Td>{token.user_email}</Table.Td>
                        <Table.Td>
                          <Code>{token.prefix}…</Code>
                        </Table.Td>
                        <Table.Td>{f.date(token.created_at)}</Table.Td>
                        <Table.Td>
                          {token.last_used_at ? f.dateTime(token.last_used_at) : t('settings.never')}
                        </Table.Td>
                        <Table.Td>
                          <Expiry at={token.expires_at} />
                        </Table.Td>
                        <Table.Td>
                          <Button
                            size="compact-sm"
                            variant="light"
                            color="red"
                            onClick={() => setRevoking(token)}
                          >
                            {t('settings.tokens.revoke')}
                            <VisuallyHidden> {token.name}</VisuallyHidden>
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <ListFooter list={list} shown={tokens.length} total={total} />
            </Stack>
          )
        }
      </QueryState>
    </Stack>
  )
}
