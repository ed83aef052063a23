import {
  type InfiniteData,
  type QueryClient,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../api/client.ts'
import { useRealtimeEvents, useRealtimeOpen } from './realtime.ts'

// What the header's bell and its inbox share: the query keys, the live updates and the text of an item.

export type Notification = Schemas['Notification']
type NotificationPage = Schemas['NotificationPage']

/** Every query under this key is about the member's notifications (the bell's count, the inbox). */
const notificationsKey = ['notifications'] as const
const inboxKey = [...notificationsKey, 'inbox'] as const
const unreadKey = [...notificationsKey, 'unread'] as const

/** While the socket is down, how often the bell asks again (it also asks when the tab comes back). */
const POLL_MS = 30_000
const INBOX_PAGE = 20

/**
 * Keeps the bell's count and the inbox current for the member `myId`: a `notification.created` event, a
 * (re)connection, a conversation read, or someone else's new message refetch them; without a socket the
 * count is polled.
 */
export function useUnreadNotifications(myId: string, enabled: boolean) {
  const client = useQueryClient()
  const live = useRealtimeOpen()
  const refetch = () => void client.invalidateQueries({ queryKey: notificationsKey })
  useRealtimeEvents((frame) => {
    // `ready` follows each (re)connection: what was created before the socket was open is not replayed to a
    // first connection, so the count is asked again then. Reading a conversation (here or in another tab)
    // reads its message notifications too.
    if (['ready', 'notification.created', 'conversation.read'].includes(frame.type)) refetch()
    // A new message is not pushed as a notification (message.created is its live event); the server writes
    // its notification before that event goes out.
    if (frame.type === 'message.created' && frame.data.author_id !== myId) refetch()
  })
  return useQuery({
    queryKey: unreadKey,
    queryFn: async () =>
      data(await api.GET('/api/me/notifications', { params: { query: { limit: 1 } } })).unread_count,
    enabled,
    refetchInterval: live ? false : POLL_MS,
    refetchOnWindowFocus: true,
    staleTime: 10_000,
  })
}

/** The inbox, unread first then newest first, a page at a time. */
export function useInbox() {
  return useInfiniteQuery({
    queryKey: inboxKey,
    queryFn: async ({ pageParam }) =>
      data(
        await api.GET('/api/me/notifications', {
          params: { query: { limit: INBOX_PAGE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  })
}

/**
 * Marks one notification (or, without an id, all of them) read in what is shown, and the count down, before
 * the server answers.
 */
function markShown(client: QueryClient, id: string | null) {
  const readAt = new Date().toISOString()
  let changed = 0
  client.setQueryData<InfiniteData<NotificationPage>>(inboxKey, (old) =>
    old
      ? {
          ...old,
          pages: old.pages.map((p) => ({
            ...p,
            data: p.data.map((n) => {
              if ((id !== null && n.id !== id) || n.read_at) return n
              changed++
              return { ...n, read_at: readAt }
            }),
          })),
        }
      : old,
  )
  client.setQueryData<number>(unreadKey, (n) => (n === undefined ? n : id ? Math.max(0, n - changed) : 0))
}

/** Marks one notification read (opening it does too). */
export function useMarkRead() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: async (id: string) =>
      data(await api.POST('/api/me/notifications/{id}/read', { params: { path: { id } } })),
    onMutate: (id) => markShown(client, id),
    onSettled: () => client.invalidateQueries({ queryKey: notificationsKey }),
  })
}

/** Marks all the member's notifications read. */
export function useMarkAllRead() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: async () => data(await api.POST('/api/me/notifications/read-all')),
    onMutate: () => markShown(client, null),
    onSuccess: (result) => client.setQueryData<number>(unreadKey, result.unread_count),
    onSettled: () => client.invalidateQueries({ queryKey: notificationsKey }),
  })
}

/**
 * What a notification says, in the interface's language: its kind's text with its params, or, for a kind
 * this version of the app does not know, the title the server wrote in the account's language.
 */
export function useNotificationText() {
  const { t } = useTranslation()
  return (n: Notification) =>
    t(`notifications.kinds.${n.kind.replaceAll('.', '_')}`, {
      ...n.params,
      defaultValue: n.title,
      interpolation: { escapeValue: false },
    })
}
