import { Alert, Badge, Button, Code, NativeSelect, Stack, Table, Text, Title } from '@mantine/core'
import { IconMailOff } from '@tabler/icons-react'
import { useInfiniteQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useSearchParams } from 'react-router'
import { api, data, type Schemas } from '../../api/client.ts'
import { LoadMore, QueryState } from '../../components/query-state.tsx'
import { useFormat } from '../../hooks/format.ts'

type Mail = Schemas['Mail']
type Status = Mail['status']

const statuses: Status[] = ['queued', 'sent', 'failed', 'not_sent']
const statusColors: Record<Status, string> = {
  queued: 'blue',
  sent: 'green',
  failed: 'red',
  not_sent: 'gray',
}

/**
 * Every e-mail written for the school's members, newest first, for its owners and administrators: to whom,
 * what, and whether it left. Without an SMTP server they are kept here, and the page says so.
 */
export function MailLogPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const raw = params.get('status')
  const status = statuses.find((s) => s === raw)
  const query = useInfiniteQuery({
    queryKey: ['mail-log', status ?? ''],
    queryFn: async ({ pageParam }) =>
      data(
        await api.GET('/api/admin/mail-log', {
          params: { query: { limit: 50, status, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  })
  const setStatus = (value: string) =>
    setParams(
      (old) => {
        const next = new URLSearchParams(old)
        if (value) next.set('status', value)
        else next.delete('status')
        return next
      },
      { replace: true },
    )
  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        {t('notifications.mail_log.title')}
      </Title>
      <Text c="dimmed" maw={720}>
        {t('notifications.mail_log.intro')}
      </Text>
      {query.data?.pages[0]?.smtp_configured === false && (
        <Alert
          color="yellow"
          icon={<IconMailOff size={18} aria-hidden />}
          title={t('notifications.mail_log.not_configured_title')}
          data-testid="smtp-not-configured"
        >
          {t('notifications.mail_log.not_configured')}
        </Alert>
      )}
      <NativeSelect
        label={t('notifications.mail_log.status_filter')}
        maw={260}
        value={status ?? ''}
        onChange={(e) => setStatus(e.currentTarget.value)}
        data={[
          { value: '', label: t('notifications.mail_log.all_statuses') },
          ...statuses.map((s) => ({ value: s, label: t(`notifications.mail_log.statuses.${s}`) })),
        ]}
      />
      <QueryState query={query}>
        {(pages) => {
          const mails = pages.pages.flatMap((p) => p.data)
          if (mails.length === 0) {
            return (
              <Text c="dimmed">
                {status ? t('notifications.mail_log.empty_filtered') : t('notifications.mail_log.empty')}
              </Text>
            )
          }
          return (
            <Stack gap="sm">
              <Table.ScrollContainer minWidth={760}>
                <Table striped data-testid="mail-log">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('notifications.mail_log.created')}</Table.Th>
                      <Table.Th scope="col">{t('notifications.mail_log.to')}</Table.Th>
                      <Table.Th scope="col">{t('notifications.mail_log.subject')}</Table.Th>
                      <Table.Th scope="col">{t('notifications.mail_log.status')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {mails.map((mail) => (
                      <MailRow key={mail.id} mail={mail} />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <LoadMore query={query} label={t('notifications.mail_log.load_more')} />
            </Stack>
          )
        }}
      </QueryState>
    </Stack>
  )
}

function MailRow({ mail }: { mail: Mail }) {
  const { t } = useTranslation()
  const f = useFormat()
  const [shown, setShown] = useState(false)
  return (
    <Table.Tr data-testid="mail-row">
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{f.dateTime(mail.created_at)}</Table.Td>
      <Table.Td>{mail.to}</Table.Td>
      <Table.Td>
        <Stack gap={4} align="flex-start">
          <Text size="sm" fw={500}>
            {mail.subject}
          </Text>
          <Text size="xs" c="dimmed">
            {mail.template} · {mail.locale.toUpperCase()}
          </Text>
          {mail.text === null ? (
            <Text size="xs" c="dimmed" fs="italic">
              {t('notifications.mail_log.secret')}
            </Text>
          ) : (
            <>
              <Button
                variant="subtle"
                size="compact-xs"
                px={0}
                aria-expanded={shown}
                onClick={() => setShown((v) => !v)}
              >
                {t('notifications.mail_log.show_text')}
              </Button>
              {shown && (
                <Code block maw={480} style={{ whiteSpace: 'pre-wrap' }}>
                  {mail.text}
                </Code>
              )}
            </>
          )}
        </Stack>
      </Table.Td>
      <Table.Td>
        <Stack gap={4} align="flex-start">
          <Badge color={statusColors[mail.status]} variant="light">
            {t(`notifications.mail_log.statuses.${mail.status}`)}
          </Badge>
          {mail.sent_at && (
            <Text size="xs" c="dimmed">
              {t('notifications.mail_log.sent')} {f.dateTime(mail.sent_at)}
            </Text>
          )}
          {mail.attempts > 0 && (
            <Text size="xs" c="dimmed">
              {t('notifications.mail_log.attempts', { count: mail.attempts })}
            </Text>
          )}
          {mail.last_error && (
            <Text size="xs" maw={240} style={{ overflowWrap: 'anywhere' }}>
              {t('notifications.mail_log.last_error', { error: mail.last_error })}
            </Text>
          )}
        </Stack>
      </Table.Td>
    </Table.Tr>
  )
}
