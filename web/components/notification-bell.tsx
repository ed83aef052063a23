import {
  ActionIcon,
  Anchor,
  Badge,
  Box,
  Button,
  Group,
  Popover,
  Stack,
  Text,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core'
import { useDisclosure } from '@mantine/hooks'
import { IconBell, IconCheck, IconChecks } from '@tabler/icons-react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { useFormat } from '../hooks/format.ts'
import {
  type Notification,
  useInbox,
  useMarkAllRead,
  useMarkRead,
  useNotificationText,
  useUnreadNotifications,
} from '../hooks/notifications.ts'
import classes from './notification-bell.module.css'
import { notify } from './notify.ts'
import { QueryState, useErrorMessage } from './query-state.tsx'

const INBOX_TITLE = 'notification-inbox-title'

/**
 * The header's bell: the count of unread notifications, and the inbox when pressed. The count is asked for
 * once `settled` (after the page's first drawing), like the shell's other background requests.
 */
export function NotificationBell({ myId, settled }: { myId: string; settled: boolean }) {
  const { t } = useTranslation()
  const [opened, { toggle, close }] = useDisclosure(false)
  const unread = useUnreadNotifications(myId, settled || opened).data ?? 0
  return (
    <Popover
      opened={opened}
      onChange={(value) => (value ? undefined : close())}
      position="bottom-end"
      width="min(380px, calc(100vw - 16px))"
      shadow="md"
      trapFocus
      returnFocus
      withinPortal
    >
      <Popover.Target>
        <ActionIcon
          variant="subtle"
          color="gray"
          size="lg"
          onClick={toggle}
          aria-label={t('notifications.bell_unread', { count: unread })}
          data-testid="notification-bell"
          className={classes.bell}
        >
          <IconBell size={20} aria-hidden />
          {unread > 0 && (
            <Badge
              size="xs"
              color="red"
              circle={unread < 10}
              className={classes.count}
              aria-hidden
              data-testid="notification-count"
            >
              {unread > 99 ? '99+' : unread}
            </Badge>
          )}
        </ActionIcon>
      </Popover.Target>
      {/* Named by its heading rather than by the bell, whose name changes with the count. */}
      <Popover.Dropdown p={0} aria-labelledby={INBOX_TITLE}>
        <Inbox unread={unread} onClose={close} />
      </Popover.Dropdown>
    </Popover>
  )
}

function Inbox({ unread, onClose }: { unread: number; onClose: () => void }) {
  const { t } = useTranslation()
  const errorMessage = useErrorMessage()
  const query = useInbox()
  const markAll = useMarkAllRead()
  return (
    <Stack gap={0}>
      <Group justify="space-between" px="sm" py="xs" wrap="nowrap" className={classes.head}>
        <Text fw={600} component="h2" size="md" m={0} id={INBOX_TITLE}>
          {t('notifications.inbox')}
        </Text>
        <Button
          variant="subtle"
          size="compact-sm"
          leftSection={<IconChecks size={16} aria-hidden />}
          disabled={unread === 0}
          loading={markAll.isPending}
          onClick={() => markAll.mutate(undefined, { onError: (err) => notify(errorMessage(err), 'red') })}
        >
          {t('notifications.mark_all_read')}
        </Button>
      </Group>
      <Box className={classes.scroll}>
        <QueryState query={query}>
          {(pages) => {
            const items = pages.pages.flatMap((p) => p.data)
            if (items.length === 0) {
              return (
                <Text c="dimmed" p="md" size="sm">
                  {t('notifications.empty')}
                </Text>
              )
            }
            return (
              <>
                <Box component="ul" m={0} p={0} className={classes.list} data-testid="notification-list">
                  {items.map((n) => (
                    <Item key={n.id} notification={n} onOpen={onClose} />
                  ))}
                </Box>
                {query.hasNextPage && (
                  <Button
                    variant="subtle"
                    size="compact-sm"
                    fullWidth
                    my={4}
                    loading={query.isFetchingNextPage}
                    onClick={() => void query.fetchNextPage()}
                  >
                    {t('notifications.load_more')}
                  </Button>
                )}
              </>
            )
          }}
        </QueryState>
      </Box>
      <Box px="sm" py="xs" className={classes.foot}>
        <Anchor component={Link} to="/profile/notifications" size="sm" onClick={onClose}>
          {t('notifications.preferences_link')}
        </Anchor>
      </Box>
    </Stack>
  )
}

function Item({ notification: n, onOpen }: { notification: Notification; onOpen: () => void }) {
  const { t } = useTranslation()
  const f = useFormat()
  const text = useNotificationText()
  const markRead = useMarkRead()
  const unread = n.read_at === null
  const open = () => {
    if (unread) markRead.mutate(n.id)
    onOpen()
  }
  const body = (
    <Stack gap={2}>
      <Text size="sm" fw={unread ? 600 : 400} className={classes.text}>
        {unread && <VisuallyHidden>{t('notifications.unread')} : </VisuallyHidden>}
        {text(n)}
      </Text>
      {typeof n.params.excerpt === 'string' && n.params.excerpt && (
        <Text size="xs" c="dimmed" lineClamp={2} className={classes.text}>
          {n.params.excerpt}
        </Text>
      )}
      <Text size="xs" c="dimmed">
        {f.dateTime(n.created_at)}
      </Text>
    </Stack>
  )
  return (
    <li className={classes.item} data-unread={unread || undefined} data-testid="notification-item">
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <span className={classes.dot} aria-hidden data-on={unread || undefined} />
        <Box flex={1} miw={0}>
          {n.link ? (
            <UnstyledButton component={Link} to={n.link} onClick={open} className={classes.link}>
              {body}
            </UnstyledButton>
          ) : (
            body
          )}
        </Box>
        {unread && (
          <ActionIcon
            variant="subtle"
            size="md"
            aria-label={t('notifications.mark_read')}
            onClick={() => markRead.mutate(n.id)}
          >
            <IconCheck size={16} aria-hidden />
          </ActionIcon>
        )}
      </Group>
    </li>
  )
}
