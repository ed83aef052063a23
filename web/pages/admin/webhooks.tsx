import {
  Badge,
  Button,
  Card,
  Checkbox,
  Drawer,
  Group,
  Modal,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { useDisclosure, useMediaQuery } from '@mantine/hooks'
import { IconPencil, IconPlus, IconRefresh, IconSend, IconTrash } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../../api/client.ts'
import { ListFooter, ListSearch, NoResults, useListPage } from '../../components/list-page.tsx'
import { notify } from '../../components/notify.ts'
import { QueryState, useErrorMessage } from '../../components/query-state.tsx'
import { ConfirmModal, FormError, fieldErrors, SecretReveal } from '../../components/settings/forms.tsx'
import { useFormat } from '../../hooks/format.ts'

type Subscription = Schemas['WebhookSubscription']
type EventType = Schemas['CreateWebhookSubscription']['event_types'][number]

const EVENT_TYPES: EventType[] = ['learner.step_completed', 'learner.quiz_passed', 'learner.course_completed']

const webhooksKey = ['webhooks'] as const
const deliveriesKey = (id: string) => ['webhooks', id, 'deliveries'] as const

const isEventType = (type: string): type is EventType => (EVENT_TYPES as string[]).includes(type)

function useEventLabel() {
  const { t } = useTranslation()
  // i18next reads dots as nesting, so the event type's dots become underscores in the key.
  return (type: string) =>
    t(`settings.webhooks.event_types.${type.replaceAll('.', '_')}`, { defaultValue: type })
}

const deliveryColor = { pending: 'orange', delivered: 'sillon', failed: 'red' } as const

/** Creates a subscription (its signing secret shown once) or changes one's URL and events. */
function SubscriptionModal({
  opened,
  onClose,
  subscription,
}: {
  opened: boolean
  onClose: () => void
  subscription: Subscription | null
}) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const eventLabel = useEventLabel()
  const [secret, setSecret] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const form = useForm<{ url: string; event_types: EventType[] }>({
    initialValues: {
      url: subscription?.url ?? '',
      event_types: subscription ? subscription.event_types.filter(isEventType) : [...EVENT_TYPES],
    },
    validate: {
      url: (v) => (/^https?:\/\/\S+$/i.test(v.trim()) ? null : t('settings.webhooks.url_invalid')),
      event_types: (v) => (v.length > 0 ? null : t('settings.webhooks.events_required')),
    },
  })
  const close = () => {
    setSecret(null)
    setError(null)
    form.reset()
    onClose()
  }
  const submit = form.onSubmit(async (values) => {
    setError(null)
    const body = { url: values.url.trim(), event_types: values.event_types }
    try {
      if (subscription) {
        await api.PATCH('/api/webhooks/{id}', { params: { path: { id: subscription.id } }, body })
        notify(t('settings.webhooks.saved'))
        close()
      } else {
        setSecret(data(await api.POST('/api/webhooks', { body })).secret)
      }
      await client.invalidateQueries({ queryKey: webhooksKey })
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
      title={subscription ? t('settings.webhooks.edit_title') : t('settings.webhooks.new')}
      size="lg"
      closeButtonProps={{ 'aria-label': t('common.close') }}
    >
      {secret ? (
        <SecretReveal
          title={t('settings.webhooks.secret_title')}
          warning={t('settings.webhooks.secret_warning')}
          label={t('settings.webhooks.secret_label')}
          value={secret}
          doneLabel={t('settings.webhooks.done')}
          onDone={close}
        />
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <TextInput
              label={t('settings.webhooks.url')}
              description={t('settings.webhooks.url_description')}
              placeholder="https://"
              type="url"
              required
              data-autofocus
              {...form.getInputProps('url')}
            />
            <Checkbox.Group
              label={t('settings.webhooks.events')}
              required
              {...form.getInputProps('event_types')}
            >
              <Stack gap="xs" mt="xs">
                {EVENT_TYPES.map((type) => (
                  <Checkbox key={type} value={type} label={eventLabel(type)} description={type} />
                ))}
              </Stack>
            </Checkbox.Group>
            <FormError message={error} />
            <Button type="submit" loading={form.submitting}>
              {subscription ? t('common.save') : t('settings.webhooks.create')}
            </Button>
          </Stack>
        </form>
      )}
    </Modal>
  )
}

/** The latest deliveries to one subscription: outcome, attempts, the receiver's answer, the next try. */
function Deliveries({ subscription }: { subscription: Subscription }) {
  const { t } = useTranslation()
  const f = useFormat()
  const eventLabel = useEventLabel()
  const query = useQuery({
    queryKey: deliveriesKey(subscription.id),
    queryFn: async () =>
      data(await api.GET('/api/webhooks/{id}/deliveries', { params: { path: { id: subscription.id } } }))
        .data,
  })
  return (
    <Stack>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {subscription.url}
      </Text>
      <Group>
        <Button
          size="compact-sm"
          variant="light"
          leftSection={<IconRefresh size={14} />}
          onClick={() => void query.refetch()}
          loading={query.isFetching}
        >
          {t('settings.webhooks.refresh')}
        </Button>
      </Group>
      <QueryState query={query}>
        {(deliveries) =>
          deliveries.length === 0 ? (
            <Text c="dimmed">{t('settings.webhooks.deliveries_empty')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={720}>
              <Table striped data-testid="deliveries">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('settings.webhooks.event')}</Table.Th>
                    <Table.Th scope="col">{t('settings.webhooks.status')}</Table.Th>
                    <Table.Th scope="col">{t('settings.webhooks.attempts')}</Table.Th>
                    <Table.Th scope="col">{t('settings.webhooks.response')}</Table.Th>
                    <Table.Th scope="col">{t('settings.webhooks.next_retry')}</Table.Th>
                    <Table.Th scope="col">{t('settings.webhooks.created')}</Table.Th>
                    <Table.Th scope="col">{t('settings.webhooks.delivered')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {deliveries.map((d) => (
                    <Table.Tr key={d.id}>
                      <Table.Td>{eventLabel(d.event_type)}</Table.Td>
                      <Table.Td>
                        <Badge color={deliveryColor[d.status]} variant="light">
                          {t(`settings.webhooks.statuses.${d.status}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{f.number(d.attempts)}</Table.Td>
                      <Table.Td>
                        {d.last_status_code ?? '—'}
                        {d.last_error && (
                          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                            {t('settings.webhooks.error', { message: d.last_error })}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>{d.status === 'pending' ? f.dateTime(d.next_attempt_at) : '—'}</Table.Td>
                      <Table.Td>{f.dateTime(d.created_at)}</Table.Td>
                      <Table.Td>{d.delivered_at ? f.dateTime(d.delivered_at) : '—'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Stack>
  )
}

function SubscriptionCard({
  subscription,
  onEdit,
  onDelete,
  onDeliveries,
}: {
  subscription: Subscription
  onEdit: () => void
  onDelete: () => void
  onDeliveries: () => void
}) {
  const { t } = useTranslation()
  const f = useFormat()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const eventLabel = useEventLabel()
  // The switch moves at once; it settles on the server's answer, or springs back if refused.
  const [wanted, setWanted] = useState<boolean | null>(null)
  const setActive = async (active: boolean) => {
    setWanted(active)
    try {
      await api.PATCH('/api/webhooks/{id}', { params: { path: { id: subscription.id } }, body: { active } })
      await client.invalidateQueries({ queryKey: webhooksKey })
      notify(active ? t('settings.webhooks.enabled') : t('settings.webhooks.disabled'))
    } catch (err) {
      notify(errorMessage(err), 'red')
    } finally {
      setWanted(null)
    }
  }
  const target = <VisuallyHidden> {subscription.url}</VisuallyHidden>
  return (
    <Card withBorder data-testid="webhook">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={4} miw={0}>
            <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
              {subscription.url}
            </Text>
            <Text size="sm" c="dimmed">
              {t('settings.created_on', { date: f.date(subscription.created_at) })}
            </Text>
          </Stack>
          <Badge color={subscription.active ? 'sillon' : 'gray'} variant="light" style={{ flexShrink: 0 }}>
            {subscription.active ? t('settings.webhooks.active') : t('settings.webhooks.paused')}
          </Badge>
        </Group>
        <Group gap="xs">
          {subscription.event_types.map((type) => (
            <Badge key={type} variant="outline" color="gray" tt="none">
              {eventLabel(type)}
            </Badge>
          ))}
        </Group>
        <Group justify="space-between">
          <Switch
            label={
              <>
                {t('settings.webhooks.active')}
                {target}
              </>
            }
            checked={wanted ?? subscription.active}
            disabled={wanted !== null}
            onChange={(event) => void setActive(event.currentTarget.checked)}
          />
          <Group gap="xs">
            <Button
              size="compact-sm"
              variant="light"
              leftSection={<IconSend size={14} />}
              onClick={onDeliveries}
            >
              {t('settings.webhooks.deliveries')}
              {target}
            </Button>
            <Button size="compact-sm" variant="light" leftSection={<IconPencil size={14} />} onClick={onEdit}>
              {t('settings.webhooks.edit')}
              {target}
            </Button>
            <Button
              size="compact-sm"
              variant="light"
              color="red"
              leftSection={<IconTrash size={14} />}
              onClick={onDelete}
            >
              {t('common.delete')}
              {target}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Card>
  )
}

/** The school's webhook subscriptions: where integration events go, and how their deliveries went. */
export function WebhooksPage() {
  const { t } = useTranslation()
  const client = useQueryClient()
  const narrow = useMediaQuery('(max-width: 48em)')
  const [creating, { open, close }] = useDisclosure()
  const [editing, setEditing] = useState<Subscription | null>(null)
  const [deleting, setDeleting] = useState<Subscription | null>(null)
  const [inspecting, setInspecting] = useState<Subscription | null>(null)
  const list = useListPage()
  const query = useQuery({
    queryKey: [...webhooksKey, 'page', list.query, list.page],
    queryFn: async () =>
      data(
        await api.GET('/api/webhooks', {
          params: { query: { query: list.query || undefined, limit: list.limit, offset: list.offset } },
        }),
      ),
    placeholderData: (previous) => previous,
  })
  const remove = async (subscription: Subscription) => {
    await api.DELETE('/api/webhooks/{id}', { params: { path: { id: subscription.id } } })
    await client.invalidateQueries({ queryKey: webhooksKey })
    notify(t('settings.webhooks.deleted'))
  }
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('settings.webhooks.title')}
        </Title>
        <Button leftSection={<IconPlus size={16} />} onClick={open}>
          {t('settings.webhooks.new')}
        </Button>
      </Group>
      <Text c="dimmed" maw={720}>
        {t('settings.webhooks.intro')}
      </Text>
      <SubscriptionModal opened={creating} onClose={close} subscription={null} />
      {editing && (
        <SubscriptionModal key={editing.id} opened onClose={() => setEditing(null)} subscription={editing} />
      )}
      <ConfirmModal
        opened={deleting !== null}
        onClose={() => setDeleting(null)}
        title={t('settings.webhooks.delete_title')}
        confirmLabel={t('common.delete')}
        onConfirm={() => (deleting ? remove(deleting) : Promise.resolve())}
      >
        {deleting && t('settings.webhooks.delete_text', { url: deleting.url })}
      </ConfirmModal>
      <Drawer
        opened={inspecting !== null}
        onClose={() => setInspecting(null)}
        title={t('settings.webhooks.deliveries_title')}
        position="right"
        size={narrow ? '100%' : 'xl'}
        closeButtonProps={{ 'aria-label': t('common.close') }}
      >
        {inspecting && <Deliveries subscription={inspecting} />}
      </Drawer>
      <ListSearch list={list} label={t('lists.search_webhooks')} total={query.data?.total} />
      <QueryState query={query}>
        {({ data: subscriptions, total }) =>
          total === 0 ? (
            list.filtered ? (
              <NoResults list={list} />
            ) : (
              <Text c="dimmed">{t('settings.webhooks.empty')}</Text>
            )
          ) : (
            <Stack>
              {subscriptions.map((subscription) => (
                <SubscriptionCard
                  key={subscription.id}
                  subscription={subscription}
                  onEdit={() => setEditing(subscription)}
                  onDelete={() => setDeleting(subscription)}
                  onDeliveries={() => setInspecting(subscription)}
                />
              ))}
              <ListFooter list={list} shown={subscriptions.length} total={total} />
            </Stack>
          )
        }
      </QueryState>
    </Stack>
  )
}
