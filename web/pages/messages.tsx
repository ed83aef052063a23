import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  Center,
  Group,
  Indicator,
  Loader,
  Menu,
  Modal,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  Title,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core'
import { useDebouncedValue } from '@mantine/hooks'
import { IconArrowLeft, IconDots, IconMessagePlus, IconSend } from '@tabler/icons-react'
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import {
  type KeyboardEvent,
  type ReactNode,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams } from 'react-router'
import { ApiError, api, data, type Schemas } from '../api/client.ts'
import { Markdown } from '../components/markdown.tsx'
import {
  AttachButton,
  MessageAttachments,
  PendingAttachments,
  useAttachmentUploads,
} from '../components/message-attachments.tsx'
import { notify } from '../components/notify.ts'
import { PersonAvatar } from '../components/person-avatar.tsx'
import { QueryState, useErrorMessage } from '../components/query-state.tsx'
import { ConfirmModal } from '../components/settings/forms.tsx'
import { useFormat } from '../hooks/format.ts'
import {
  addMessage,
  conversationKey,
  conversationsKey,
  conversationTitle,
  type Message,
  messagesKey,
  newClientId,
  replaceMessage,
  useLiveMessages,
} from '../hooks/messages.ts'
import { sendRealtime, useOnline, useRealtimeOpen } from '../hooks/realtime.ts'
import { type Me, useMe } from '../hooks/session.ts'
import classes from './messages.module.css'

type Conversation = Schemas['Conversation']

/** While the socket is down, how often the open thread and the list ask the server again. */
const POLL_THREAD_MS = 4000
const POLL_LIST_MS = 10_000
/** How long someone stays "typing" after their last notice. */
const TYPING_SHOWN_MS = 5000
/** At most one typing notice every this many milliseconds. */
const TYPING_EVERY_MS = 3000

/** The messages page: the conversation list and the open thread, side by side (one at a time on a phone). */
export function MessagesPage() {
  const { t } = useTranslation()
  const me = useMe().data as Me
  const { conversationId } = useParams()
  const [creating, setCreating] = useState(false)
  const typing = useLiveMessages(me.user.id)

  return (
    <Stack gap="sm" h="calc(100dvh - 60px - 2 * var(--mantine-spacing-md))">
      <Group justify="space-between" wrap="nowrap" visibleFrom={conversationId ? 'sm' : undefined}>
        <Title order={1} size="h2">
          {t('messages.title')}
        </Title>
        <Button leftSection={<IconMessagePlus size={18} />} onClick={() => setCreating(true)}>
          {t('messages.new_conversation')}
        </Button>
      </Group>
      <Group align="stretch" gap="md" wrap="nowrap" style={{ flex: 1, minHeight: 0 }}>
        <Box
          component="nav"
          aria-label={t('messages.conversations')}
          w={{ base: '100%', sm: 320 }}
          style={{ flexShrink: 0, overflowY: 'auto' }}
          visibleFrom={conversationId ? 'sm' : undefined}
        >
          <ConversationList me={me} selected={conversationId} />
        </Box>
        {conversationId ? (
          <Thread key={conversationId} me={me} conversationId={conversationId} typing={typing} />
        ) : (
          <Center visibleFrom="sm" style={{ flex: 1 }}>
            <Text c="dimmed">{t('messages.pick_conversation')}</Text>
          </Center>
        )}
      </Group>
      <NewConversation opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  )
}

function ConversationList({ me, selected }: { me: Me; selected: string | undefined }) {
  const { t } = useTranslation()
  const live = useRealtimeOpen()
  const query = useInfiniteQuery({
    queryKey: conversationsKey,
    queryFn: async ({ pageParam }) =>
      data(
        await api.GET('/api/conversations', {
          params: { query: { limit: 25, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: live ? false : POLL_LIST_MS,
  })
  return (
    <QueryState query={query}>
      {(pages) => {
        const conversations = pages.pages.flatMap((p) => p.data)
        if (conversations.length === 0) {
          return (
            <Text c="dimmed" p="sm">
              {t('messages.no_conversations')}
            </Text>
          )
        }
        return (
          <Stack gap={4}>
            {/* A list of links, each saying who, the last message and what is unread. */}
            <Box component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
              {conversations.map((c) => (
                <li key={c.id}>
                  <ConversationItem me={me} conversation={c} active={c.id === selected} />
                </li>
              ))}
            </Box>
            {query.hasNextPage && (
              <Button
                variant="subtle"
                onClick={() => void query.fetchNextPage()}
                loading={query.isFetchingNextPage}
              >
                {t('messages.load_more_conversations')}
              </Button>
            )}
          </Stack>
        )
      }}
    </QueryState>
  )
}

function ConversationItem({
  me,
  conversation,
  active,
}: {
  me: Me
  conversation: Conversation
  active: boolean
}) {
  const { t } = useTranslation()
  const format = useFormat()
  const title = conversationTitle(conversation, me.user.id, t)
  const last = conversation.last_message
  const preview = !last
    ? t('messages.no_message_yet')
    : last.body === null
      ? t('messages.deleted')
      : `${last.author_id === me.user.id ? `${t('messages.you')} : ` : ''}${
          plainText(last.body) ||
          t('messages.attachment_preview', { name: last.attachments?.[0]?.name ?? '' })
        }`
  return (
    <UnstyledButton
      component={Link}
      to={`/messages/${conversation.id}`}
      aria-current={active ? 'page' : undefined}
      data-testid="conversation"
      p="sm"
      w="100%"
      style={{
        display: 'block',
        borderRadius: 'var(--mantine-radius-md)',
        background: active ? 'var(--mantine-primary-color-light)' : undefined,
      }}
    >
      <Group wrap="nowrap" gap="sm" align="flex-start">
        <Presence conversation={conversation} myId={me.user.id}>
          <PersonAvatar name={title} image={null} size={36} />
        </Presence>
        <Box style={{ flex: 1, minWidth: 0 }}>
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text fw={conversation.unread_count > 0 ? 700 : 500} size="sm" truncate>
              {title}
            </Text>
            {last && (
              <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
                {format.time(last.created_at)}
              </Text>
            )}
          </Group>
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text size="sm" c="dimmed" truncate fs={last?.body === null ? 'italic' : undefined}>
              {preview}
            </Text>
            {conversation.unread_count > 0 && (
              <Badge size="sm" circle={conversation.unread_count < 10} data-testid="unread-count">
                <span aria-hidden>{conversation.unread_count}</span>
                <VisuallyHidden>{t('messages.unread', { count: conversation.unread_count })}</VisuallyHidden>
              </Badge>
            )}
          </Group>
        </Box>
      </Group>
    </UnstyledButton>
  )
}

/** For a direct conversation, a green dot on the avatar while the other person is connected. */
function Presence({
  conversation,
  myId,
  children,
}: {
  conversation: Conversation
  myId: string
  children: ReactNode
}) {
  const { t } = useTranslation()
  const other =
    conversation.kind === 'direct' ? conversation.participants.find((p) => p.member_id !== myId) : undefined
  const online = useOnline(other?.member_id)
  return (
    <Indicator
      disabled={!online}
      color="green"
      position="bottom-end"
      offset={5}
      size={10}
      withBorder
      data-testid={online ? 'online' : undefined}
    >
      {children}
      {online && <VisuallyHidden>{t('messages.online')}</VisuallyHidden>}
    </Indicator>
  )
}

function Thread({
  me,
  conversationId,
  typing,
}: {
  me: Me
  conversationId: string
  typing: Map<string, Map<string, number>>
}) {
  const { t } = useTranslation()
  const live = useRealtimeOpen()
  const conversation = useQuery({
    queryKey: conversationKey(conversationId),
    queryFn: async () =>
      data(await api.GET('/api/conversations/{id}', { params: { path: { id: conversationId } } })),
    refetchInterval: live ? false : POLL_THREAD_MS,
  })
  const messages = useInfiniteQuery({
    queryKey: messagesKey(conversationId),
    queryFn: async ({ pageParam }) =>
      data(
        await api.GET('/api/conversations/{id}/messages', {
          params: {
            path: { id: conversationId },
            query: { limit: 30, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: live ? false : POLL_THREAD_MS,
  })
  const ordered = useMemo(
    () =>
      (messages.data?.pages.flatMap((p) => p.data) ?? []).filter((m): m is Message => m !== null).reverse(),
    [messages.data],
  )
  useReadReceipt(conversationId, conversation.data, ordered, me.user.id)

  return (
    <Stack gap="xs" style={{ flex: 1, minWidth: 0, minHeight: 0 }}>
      <Group gap="xs" wrap="nowrap">
        <ActionIcon
          component={Link}
          to="/messages"
          variant="subtle"
          hiddenFrom="sm"
          aria-label={t('messages.back')}
        >
          <IconArrowLeft size={20} />
        </ActionIcon>
        <Title order={2} size="h4" style={{ flex: 1, minWidth: 0 }} lineClamp={1}>
          {conversation.data ? conversationTitle(conversation.data, me.user.id, t) : '…'}
        </Title>
        <Text size="xs" c="dimmed" data-testid="live-state">
          {live ? t('messages.live') : t('messages.offline')}
        </Text>
      </Group>
      <QueryState query={messages}>
        {() => (
          <MessageList
            me={me}
            conversation={conversation.data}
            messages={ordered}
            hasOlder={messages.hasNextPage}
            loadingOlder={messages.isFetchingNextPage}
            loadOlder={() => void messages.fetchNextPage()}
          />
        )}
      </QueryState>
      <TypingLine conversation={conversation.data} typing={typing.get(conversationId)} me={me} />
      <Composer conversationId={conversationId} />
    </Stack>
  )
}

/** Tells the server what the member has seen: up to the newest message, once the tab is visible. */
function useReadReceipt(
  conversationId: string,
  conversation: Conversation | undefined,
  ordered: Message[],
  myId: string,
) {
  const client = useQueryClient()
  const newest = ordered.at(-1)
  const mine = conversation?.participants.find((p) => p.member_id === myId)
  const sent = useRef<string | null>(null)
  useEffect(() => {
    if (!newest || !conversation) return
    const mark = () => {
      if (document.visibilityState !== 'visible') return
      if (mine?.last_read_message_id === newest.id || sent.current === newest.id) return
      sent.current = newest.id
      void api
        .POST('/api/conversations/{id}/read', {
          params: { path: { id: conversationId } },
          body: { up_to: newest.id },
        })
        .then(() => client.invalidateQueries({ queryKey: conversationsKey }))
        .catch(() => {
          sent.current = null
        })
    }
    mark()
    document.addEventListener('visibilitychange', mark)
    return () => document.removeEventListener('visibilitychange', mark)
  }, [newest, conversation, mine?.last_read_message_id, conversationId, client])
}

function MessageList({
  me,
  conversation,
  messages,
  hasOlder,
  loadingOlder,
  loadOlder,
}: {
  me: Me
  conversation: Conversation | undefined
  messages: Message[]
  hasOlder: boolean
  loadingOlder: boolean
  loadOlder: () => void
}) {
  const { t } = useTranslation()
  const scroller = useRef<HTMLDivElement>(null)
  const atBottom = useRef(true)
  const previous = useRef<{ first?: string; last?: string; height: number }>({ height: 0 })

  // Newest at the bottom: stay there as messages arrive (unless the reader scrolled up), and keep the view
  // still when older ones are added above.
  useLayoutEffect(() => {
    const box = scroller.current
    if (!box) return
    const first = messages[0]?.id
    const last = messages.at(-1)?.id
    const before = previous.current
    if (before.first !== undefined && first !== before.first && last === before.last) {
      box.scrollTop += box.scrollHeight - before.height
    } else if (atBottom.current || before.last === undefined || messages.at(-1)?.author_id === me.user.id) {
      box.scrollTop = box.scrollHeight
    }
    previous.current = { first, last, height: box.scrollHeight }
  }, [messages, me.user.id])

  const onScroll = () => {
    const box = scroller.current
    if (!box) return
    atBottom.current = box.scrollHeight - box.scrollTop - box.clientHeight < 40
    if (box.scrollTop < 40 && hasOlder && !loadingOlder) loadOlder()
  }

  const names = new Map(conversation?.participants.map((p) => [p.member_id, p.name]) ?? [])
  const receipt = readReceipt(conversation, messages, me.user.id, t)

  return (
    <Box
      ref={scroller}
      onScroll={onScroll}
      role="log"
      aria-label={t('messages.thread')}
      tabIndex={0}
      style={{ flex: 1, minHeight: 0, overflowY: 'auto' }}
      data-testid="thread"
    >
      <Stack gap="xs" p="xs">
        {hasOlder ? (
          <Center>
            <Button variant="subtle" size="xs" onClick={loadOlder} loading={loadingOlder}>
              {t('messages.load_older')}
            </Button>
          </Center>
        ) : (
          <Text size="xs" c="dimmed" ta="center">
            {t('messages.beginning')}
          </Text>
        )}
        {messages.map((m) => (
          <MessageBubble
            key={m.id}
            message={m}
            mine={m.author_id === me.user.id}
            author={names.get(m.author_id) ?? t('messages.former_member')}
            receipt={receipt?.messageId === m.id ? receipt.text : null}
          />
        ))}
      </Stack>
    </Box>
  )
}

/** Under the member's latest message: read by everyone, by some (named), or only sent. */
function readReceipt(
  conversation: Conversation | undefined,
  messages: Message[],
  myId: string,
  t: (key: string, options?: Record<string, unknown>) => string,
): { messageId: string; text: string } | null {
  if (!conversation) return null
  const index = new Map(messages.map((m, i) => [m.id, i]))
  let latestMine = -1
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.author_id === myId) {
      latestMine = i
      break
    }
  }
  const message = messages[latestMine]
  if (!message) return null
  const others = conversation.participants.filter((p) => p.member_id !== myId && p.left_at === null)
  // A receipt older than the loaded page is older than this message too.
  const readers = others.filter((p) => (index.get(p.last_read_message_id ?? '') ?? -1) >= latestMine)
  if (others.length > 0 && readers.length === others.length) {
    return { messageId: message.id, text: t('messages.read_by_all') }
  }
  if (readers.length > 0) {
    return {
      messageId: message.id,
      text: t('messages.read_by', { names: readers.map((p) => p.name ?? '').join(', ') }),
    }
  }
  return { messageId: message.id, text: t('messages.sent') }
}

function MessageBubble({
  message,
  mine,
  author,
  receipt,
}: {
  message: Message
  mine: boolean
  author: string
  receipt: string | null
}) {
  const { t } = useTranslation()
  const format = useFormat()
  const [editing, setEditing] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const [reporting, setReporting] = useState(false)
  const client = useQueryClient()
  const deleted = message.state === 'deleted'
  const replace = (updated: Message) => replaceMessage(client, updated)

  return (
    <Box
      style={{ alignSelf: mine ? 'flex-end' : 'flex-start', maxWidth: 'min(85%, 42rem)' }}
      data-testid="message"
      data-mine={mine || undefined}
    >
      <Paper
        px="sm"
        py={6}
        radius="md"
        bg={mine ? 'var(--mantine-primary-color-light)' : 'var(--mantine-color-default-hover)'}
      >
        <Group justify="space-between" gap="xs" wrap="nowrap">
          <Text size="xs" fw={600}>
            {mine ? t('messages.you') : author}
          </Text>
          <Group gap={4} wrap="nowrap">
            <Text size="xs" c="dimmed">
              <time dateTime={message.created_at}>{format.time(message.created_at)}</time>
              {message.state === 'edited' && ` · ${t('messages.edited')}`}
            </Text>
            {!deleted && !editing && (
              <Menu position="bottom-end">
                <Menu.Target>
                  <ActionIcon
                    variant="subtle"
                    size="sm"
                    color="gray"
                    aria-label={t('messages.message_actions')}
                  >
                    <IconDots size={16} />
                  </ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  {mine ? (
                    <>
                      <Menu.Item onClick={() => setEditing(true)}>{t('messages.edit')}</Menu.Item>
                      <Menu.Item color="red" onClick={() => setDeleting(true)}>
                        {t('messages.delete')}
                      </Menu.Item>
                    </>
                  ) : (
                    <Menu.Item onClick={() => setReporting(true)}>{t('messages.report')}</Menu.Item>
                  )}
                </Menu.Dropdown>
              </Menu>
            )}
          </Group>
        </Group>
        {deleted ? (
          <Text size="sm" fs="italic" c="dimmed">
            {t('messages.deleted')}
          </Text>
        ) : editing ? (
          <EditMessage message={message} done={() => setEditing(false)} onSaved={replace} />
        ) : (
          <>
            {message.body && (
              <Box fz="sm" className={classes.body} data-testid="message-body">
                <Markdown>{message.body}</Markdown>
              </Box>
            )}
            <MessageAttachments attachments={message.attachments ?? []} />
          </>
        )}
      </Paper>
      {receipt && (
        <Text size="xs" c="dimmed" ta="right" data-testid="receipt">
          {receipt}
        </Text>
      )}
      <ConfirmModal
        opened={deleting}
        onClose={() => setDeleting(false)}
        title={t('messages.delete_title')}
        confirmLabel={t('messages.delete')}
        onConfirm={async () => {
          replace(
            data(await api.DELETE('/api/messages/{id}', { params: { path: { id: message.id } } })) as Message,
          )
          void client.invalidateQueries({ queryKey: conversationsKey })
        }}
      >
        {t('messages.delete_confirm')}
      </ConfirmModal>
      {reporting && <ReportMessage message={message} onClose={() => setReporting(false)} />}
    </Box>
  )
}

/** Reporting someone else's message to the school's staff, with a reason. */
function ReportMessage({ message, onClose }: { message: Message; onClose: () => void }) {
  const { t } = useTranslation()
  const errorMessage = useErrorMessage()
  const [reason, setReason] = useState('')
  const [error, setError] = useState<string | null>(null)
  const report = useMutation({
    mutationFn: async () =>
      data(
        await api.POST('/api/conversations/{id}/messages/{message_id}/report', {
          params: { path: { id: message.conversation_id, message_id: message.id } },
          body: { reason: reason.trim() },
        }),
      ),
    onSuccess: () => {
      notify(t('messages.reported'))
      onClose()
    },
    onError: (err) => setError(errorMessage(err)),
  })
  return (
    <Modal
      opened
      onClose={onClose}
      title={t('messages.report_title')}
      closeButtonProps={{ 'aria-label': t('common.close') }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault()
          report.mutate()
        }}
      >
        <Stack>
          <Text size="sm">{t('messages.report_intro')}</Text>
          <Textarea
            label={t('messages.report_reason')}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            autosize
            minRows={2}
            maxLength={1000}
            data-autofocus
            error={error}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('messages.cancel')}
            </Button>
            <Button type="submit" color="red" disabled={!reason.trim()} loading={report.isPending}>
              {t('messages.report_send')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}

function EditMessage({
  message,
  done,
  onSaved,
}: {
  message: Message
  done: () => void
  onSaved: (m: Message) => void
}) {
  const { t } = useTranslation()
  const errorMessage = useErrorMessage()
  const [body, setBody] = useState(message.body ?? '')
  const [error, setError] = useState<string | null>(null)
  const save = useMutation({
    mutationFn: async () =>
      data(
        await api.PATCH('/api/messages/{id}', { params: { path: { id: message.id } }, body: { body } }),
      ) as Message,
    onSuccess: (updated) => {
      onSaved(updated)
      done()
    },
    onError: (err) => setError(errorMessage(err)),
  })
  return (
    <Stack gap={6} mt={4}>
      <Textarea
        label={t('messages.edit_label')}
        value={body}
        onChange={(e) => setBody(e.currentTarget.value)}
        autosize
        minRows={1}
        maxRows={8}
        data-autofocus
        autoFocus
        error={error}
      />
      <Group gap="xs" justify="flex-end">
        <Button size="xs" variant="default" onClick={done}>
          {t('messages.cancel')}
        </Button>
        <Button size="xs" onClick={() => save.mutate()} loading={save.isPending} disabled={!body.trim()}>
          {t('messages.save')}
        </Button>
      </Group>
    </Stack>
  )
}

function TypingLine({
  conversation,
  typing,
  me,
}: {
  conversation: Conversation | undefined
  typing: Map<string, number> | undefined
  me: Me
}) {
  const { t } = useTranslation()
  const [now, setNow] = useState(() => Date.now())
  const active = [...(typing ?? new Map<string, number>()).entries()].filter(
    ([id, at]) => id !== me.user.id && now - at < TYPING_SHOWN_MS,
  )
  useEffect(() => {
    if (!typing || typing.size === 0) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [typing])
  const names = active.map(
    ([id]) => conversation?.participants.find((p) => p.member_id === id)?.name ?? t('messages.former_member'),
  )
  return (
    <Text size="xs" c="dimmed" mih={18} aria-live="polite" data-testid="typing">
      {names.length > 0 ? t('messages.typing', { count: names.length, names: names.join(', ') }) : ''}
    </Text>
  )
}

function Composer({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation()
  const errorMessage = useErrorMessage()
  const client = useQueryClient()
  const [draft, setDraft] = useState('')
  const [problem, setProblem] = useState<{ text: string; slowDown: boolean } | null>(null)
  // One id per message being written: a retry or a double click sends the same one again, and the server
  // answers the message it already stored instead of a second.
  const clientId = useRef(newClientId())
  const inFlight = useRef(false)
  const lastTyping = useRef(0)
  const uploads = useAttachmentUploads(conversationId, (text) => setProblem({ text, slowDown: false }))

  const send = useMutation({
    mutationFn: async ({ body, attachmentIds }: { body: string; attachmentIds: string[] }) =>
      data(
        await api.POST('/api/conversations/{id}/messages', {
          params: { path: { id: conversationId } },
          body: {
            client_id: clientId.current,
            body,
            ...(attachmentIds.length > 0 ? { attachment_ids: attachmentIds } : {}),
          },
        }),
      ),
    onSuccess: (message, { body, attachmentIds }) => {
      clientId.current = newClientId()
      // Only what was sent leaves the composer: text typed meanwhile stays, for the next message.
      setDraft((current) => (current.trim() === body ? '' : current))
      uploads.sent(attachmentIds)
      setProblem(null)
      addMessage(client, conversationId, message as Message)
      void client.invalidateQueries({ queryKey: conversationsKey })
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 429) {
        const seconds = Math.max(1, Math.ceil(Number(err.details.retry_after) || 60))
        setProblem({ text: t('messages.slow_down', { seconds }), slowDown: true })
      } else {
        setProblem({ text: t('messages.send_failed', { reason: errorMessage(err) }), slowDown: false })
      }
    },
    onSettled: () => {
      inFlight.current = false
    },
  })

  const submit = () => {
    const body = draft.trim()
    const attachmentIds = uploads.files.map((f) => f.id)
    if ((!body && attachmentIds.length === 0) || inFlight.current || uploads.uploading) return
    inFlight.current = true
    send.mutate({ body, attachmentIds })
  }
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault()
      submit()
    }
  }
  const onChange = (value: string) => {
    setDraft(value)
    const now = Date.now()
    if (value.trim() && now - lastTyping.current > TYPING_EVERY_MS) {
      lastTyping.current = now
      sendRealtime({ type: 'typing', conversation_id: conversationId })
    }
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      <Stack gap={4}>
        {problem && (
          <Alert color={problem.slowDown ? 'yellow' : 'red'} role="alert" p="xs" data-testid="send-problem">
            {problem.text}
          </Alert>
        )}
        <PendingAttachments uploads={uploads} />
        <Group gap="xs" align="flex-end" wrap="nowrap">
          <AttachButton uploads={uploads} />
          <Textarea
            aria-label={t('messages.composer')}
            description={t('messages.composer_hint')}
            placeholder={t('messages.composer_placeholder')}
            value={draft}
            onChange={(e) => onChange(e.currentTarget.value)}
            onKeyDown={onKeyDown}
            autosize
            minRows={1}
            maxRows={6}
            maxLength={10_000}
            style={{ flex: 1 }}
          />
          <ActionIcon
            type="submit"
            size="lg"
            aria-label={send.isPending ? t('messages.sending') : t('messages.send')}
            loading={send.isPending}
            disabled={(!draft.trim() && uploads.files.length === 0) || uploads.uploading}
          >
            <IconSend size={18} />
          </ActionIcon>
        </Group>
      </Stack>
    </form>
  )
}

function NewConversation({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const role = useMe().data?.role
  // Owners, administrators and instructors may also write to a whole class at once.
  const mayGroup = role === 'owner' || role === 'admin' || role === 'instructor'
  const [kind, setKind] = useState<'member' | 'team'>('member')
  const [teamId, setTeamId] = useState<string | null>(null)
  const teams = useQuery({
    queryKey: ['teams', 'for-messages'],
    queryFn: async () => data(await api.GET('/api/teams', { params: { query: { limit: 100 } } })),
    enabled: opened && mayGroup && kind === 'team',
  })
  const [search, setSearch] = useState('')
  const [query] = useDebouncedValue(search.trim(), 250)
  const [memberId, setMemberId] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const contacts = useQuery({
    queryKey: ['messaging-contacts', query],
    queryFn: async () =>
      data(
        await api.GET('/api/messaging/contacts', {
          params: { query: { limit: 20, ...(query ? { query } : {}) } },
        }),
      ),
    enabled: opened,
    placeholderData: (previous) => previous,
  })
  const options = (contacts.data?.data ?? []).map((c) => ({
    value: c.member_id,
    label: `${c.name} (${t(`messages.role.${c.role}`)})`,
  }))
  const start = useMutation({
    mutationFn: async (to: { member_id: string } | { team_id: string }) =>
      data(await api.POST('/api/conversations', { body: to })),
    onSuccess: (conversation) => {
      void client.invalidateQueries({ queryKey: conversationsKey })
      close()
      navigate(`/messages/${conversation.id}`)
    },
    onError: (err) => setError(errorMessage(err)),
  })
  const close = () => {
    setSearch('')
    setMemberId(null)
    setTeamId(null)
    setKind('member')
    setError(null)
    onClose()
  }
  return (
    <Modal
      opened={opened}
      onClose={close}
      title={t('messages.new_title')}
      closeButtonProps={{ 'aria-label': t('common.close') }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault()
          if (kind === 'team' && teamId) start.mutate({ team_id: teamId })
          else if (kind === 'member' && memberId) start.mutate({ member_id: memberId })
        }}
      >
        <Stack>
          {mayGroup && (
            <SegmentedControl
              aria-label={t('messages.write_to')}
              value={kind}
              onChange={(value) => {
                setKind(value as 'member' | 'team')
                setError(null)
              }}
              data={[
                { value: 'member', label: t('messages.to_member') },
                { value: 'team', label: t('messages.to_team') },
              ]}
            />
          )}
          {kind === 'team' ? (
            <Select
              label={t('messages.team')}
              description={t('messages.team_description')}
              data={(teams.data ?? []).map((team) => ({ value: team.id, label: team.name }))}
              searchable
              value={teamId}
              onChange={(value) => {
                setTeamId(value)
                setError(null)
              }}
              nothingFoundMessage={teams.isFetching ? t('common.loading') : t('messages.no_team')}
              comboboxProps={{ withinPortal: true }}
            />
          ) : (
            <Select
              label={t('messages.recipient')}
              description={t('messages.recipient_description')}
              placeholder={t('messages.recipient_placeholder')}
              data={options}
              searchable
              searchValue={search}
              onSearchChange={setSearch}
              filter={({ options: all }) => all}
              value={memberId}
              onChange={(value) => {
                setMemberId(value)
                setError(null)
              }}
              nothingFoundMessage={contacts.isFetching ? t('common.loading') : t('messages.no_contact')}
              rightSection={contacts.isFetching ? <Loader size={14} /> : undefined}
              data-autofocus
              comboboxProps={{ withinPortal: true }}
            />
          )}
          {error && (
            <Alert color="red" role="alert" p="xs">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('messages.cancel')}
            </Button>
            <Button type="submit" disabled={kind === 'team' ? !teamId : !memberId} loading={start.isPending}>
              {t('messages.start')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}

/** A message's Markdown as a one-line preview: links as their text, without emphasis or heading marks. */
function plainText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`#>~]+/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}
