import { type InfiniteData, type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api, data, type Schemas } from '../api/client.ts'
import { type RealtimeFrame, useRealtimeEvents, useRealtimeOpen } from './realtime.ts'

// What the messages page and the shell's unread badge share: the query keys, the cache updates live
// events make, and the unread total.

type Conversation = Schemas['Conversation']
/** A message (the generated type says `| null` because a conversation's last message may be absent). */
export type Message = NonNullable<Schemas['Message']>
type MessagePage = Schemas['MessagePage']

/** Every query under this key is about the member's conversations (the list, the badge's total). */
export const conversationsKey = ['conversations'] as const
export const conversationKey = (id: string) => ['conversation', id] as const
export const messagesKey = (id: string) => ['messages', id] as const

/** While the socket is down, how often the badge asks for the unread total again. */
const POLL_UNREAD_MS = 10_000

/** A new id for a message being written (random; crypto.randomUUID needs a secure context). */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`
}

/** Who the conversation is with, for its title: the other members' names. */
export function conversationTitle(
  conversation: Conversation,
  myId: string,
  t: (key: string) => string,
): string {
  const others = conversation.participants.filter((p) => p.member_id !== myId)
  if (others.length === 0) return t('messages.you')
  return others.map((p) => p.name ?? t('messages.former_member')).join(', ')
}

/** Puts the server's new version of a message in the thread it belongs to, if that thread is loaded. */
export function replaceMessage(client: QueryClient, updated: Message) {
  client.setQueryData<InfiniteData<MessagePage>>(messagesKey(updated.conversation_id), (old) =>
    old
      ? {
          ...old,
          pages: old.pages.map((p) => ({
            ...p,
            data: p.data.map((m) => (m?.id === updated.id ? updated : m)),
          })),
        }
      : old,
  )
}

/** Adds a message at the newest end of its thread, unless it is there already. */
export function addMessage(client: QueryClient, conversationId: string, message: Message) {
  client.setQueryData<InfiniteData<MessagePage>>(messagesKey(conversationId), (old) => {
    if (!old || old.pages.some((p) => p.data.some((m) => m?.id === message.id))) return old
    const [first, ...rest] = old.pages
    if (!first) return old
    return { ...old, pages: [{ ...first, data: [message, ...first.data] }, ...rest] }
  })
}

const text = (value: unknown) => (typeof value === 'string' ? value : undefined)

/**
 * Applies the live events of the member's conversations to what the page shows, and returns who is typing
 * where (conversation id → member id → when their last notice came).
 */
export function useLiveMessages(myId: string) {
  const client = useQueryClient()
  const [typing, setTyping] = useState(() => new Map<string, Map<string, number>>())
  const setTyper = (conversationId: string, memberId: string, at: number | null) =>
    setTyping((old) => {
      const next = new Map(old)
      const people = new Map(next.get(conversationId))
      if (at === null) people.delete(memberId)
      else people.set(memberId, at)
      next.set(conversationId, people)
      return next
    })
  useRealtimeEvents((frame: RealtimeFrame) => {
    if (frame.type === 'ready' && frame.data.resync === true) {
      // Too far behind for the server to replay: what is shown is reloaded.
      for (const key of [conversationsKey, ['conversation'], ['messages']]) {
        void client.invalidateQueries({ queryKey: key })
      }
      return
    }
    const conversationId = text(frame.data.conversation_id)
    if (!conversationId) return
    if (frame.type === 'message.created' || frame.type === 'message.updated') {
      const message = frame.data as unknown as Message
      if (frame.type === 'message.created') addMessage(client, conversationId, message)
      else replaceMessage(client, message)
      setTyper(conversationId, message.author_id, null)
      void client.invalidateQueries({ queryKey: conversationKey(conversationId) })
    } else if (frame.type === 'conversation.read') {
      void client.invalidateQueries({ queryKey: conversationKey(conversationId) })
    } else if (frame.type === 'typing') {
      const memberId = text(frame.data.member_id) ?? text(frame.data.user_id)
      if (memberId && memberId !== myId) setTyper(conversationId, memberId, Date.now())
    }
  })
  return typing
}

/** How many messages the member has not read, across their conversations (the navigation's badge). */
export function useUnreadTotal(enabled: boolean) {
  const client = useQueryClient()
  const live = useRealtimeOpen()
  useRealtimeEvents((frame) => {
    // `ready` too: what came between the page's first answers and the socket's opening is asked again.
    if (frame.type === 'message.created' || frame.type === 'conversation.read' || frame.type === 'ready') {
      void client.invalidateQueries({ queryKey: conversationsKey })
    }
  })
  return useQuery({
    queryKey: [...conversationsKey, 'unread'],
    queryFn: async () => {
      const page = data(await api.GET('/api/conversations', { params: { query: { limit: 100 } } }))
      return page.data.reduce((sum, c) => sum + c.unread_count, 0)
    },
    enabled,
    refetchInterval: live ? false : POLL_UNREAD_MS,
    staleTime: 10_000,
  })
}
