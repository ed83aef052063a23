import { Anchor, Badge, Box, Group, Paper, Stack, Text, Title } from '@mantine/core'
import { IconFlag } from '@tabler/icons-react'
import { useInfiniteQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { api, data, type Schemas } from '../api/client.ts'
import { MessageAttachments } from '../components/message-attachments.tsx'
import { LoadMore, QueryState } from '../components/query-state.tsx'
import { useFormat } from '../hooks/format.ts'

type Report = Schemas['MessageReportPage']['data'][number]

const PAGE = 20

/**
 * The messages members reported, newest first, for the school's owners and administrators (README,
 * "Messaging"): who reported it and why, the message as it stands now, its author, its files (which the
 * moderators may download without taking part in the conversation) and a link to its conversation.
 */
export function MessageReportsPage() {
  const { t } = useTranslation()
  const query = useInfiniteQuery({
    queryKey: ['message-reports'],
    queryFn: async ({ pageParam }) =>
      data(
        await api.GET('/api/message-reports', {
          params: { query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  })
  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        {t('moderation.title')}
      </Title>
      <Text c="dimmed" maw={720}>
        {t('moderation.intro')}
      </Text>
      <QueryState query={query}>
        {(pages) => {
          const reports = pages.pages.flatMap((p) => p.data)
          if (reports.length === 0) {
            return (
              <Group gap="xs" c="dimmed" data-testid="reports-empty">
                <IconFlag size={18} aria-hidden />
                <Text>{t('moderation.empty')}</Text>
              </Group>
            )
          }
          return (
            <Stack gap="md">
              <Stack component="ul" gap="md" p={0} m={0} style={{ listStyle: 'none' }}>
                {reports.map((report) => (
                  <ReportItem key={`${report.message_id}:${report.reporter_id}`} report={report} />
                ))}
              </Stack>
              <LoadMore query={query} label={t('moderation.load_more')} />
            </Stack>
          )
        }}
      </QueryState>
    </Stack>
  )
}

function ReportItem({ report }: { report: Report }) {
  const { t } = useTranslation()
  const f = useFormat()
  const reporter = report.reporter_name ?? t('messages.former_member')
  const author = report.author_name ?? t('messages.former_member')
  const message = report.message
  return (
    <Paper
      component="li"
      withBorder
      p="md"
      radius="md"
      data-testid="message-report"
      aria-label={t('moderation.report_label', { name: reporter, date: f.dateTime(report.created_at) })}
    >
      <Stack gap="sm">
        <Group justify="space-between" gap="xs" align="baseline">
          <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
            {t('moderation.reported_by', { name: reporter })}
          </Text>
          <Text size="sm" c="dimmed">
            <time dateTime={report.created_at}>
              {t('moderation.reported_at', { date: f.dateTime(report.created_at) })}
            </time>
          </Text>
        </Group>
        <Box>
          <Text size="sm" fw={500} c="dimmed">
            {t('moderation.reason')}
          </Text>
          {report.reason === null ? (
            <Text size="sm" c="dimmed" fs="italic">
              {t('moderation.reason_erased')}
            </Text>
          ) : (
            <Text
              size="sm"
              style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
              data-testid="report-reason"
            >
              {report.reason}
            </Text>
          )}
        </Box>
        {message ? (
          <Box pl="sm" py={4} style={quoted} data-testid="reported-message">
            <Group gap="xs" mb={4} align="baseline">
              <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
                {t('moderation.message_by', { name: author })}
              </Text>
              <Text size="xs" c="dimmed">
                <time dateTime={message.created_at}>{f.dateTime(message.created_at)}</time>
              </Text>
              {message.state === 'edited' && (
                <Badge size="xs" variant="light" color="gray">
                  {t('moderation.edited')}
                </Badge>
              )}
            </Group>
            {message.state === 'deleted' ? (
              <Text size="sm" fs="italic" c="dimmed">
                {t('messages.deleted')}
              </Text>
            ) : (
              message.body && (
                <Text
                  size="sm"
                  lineClamp={8}
                  style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
                  data-testid="reported-message-body"
                >
                  {message.body}
                </Text>
              )
            )}
            <MessageAttachments attachments={message.attachments} />
          </Box>
        ) : (
          <Text size="sm" fs="italic" c="dimmed">
            {t('moderation.message_gone')}
          </Text>
        )}
        <Group>
          <Anchor component={Link} to={`/messages/${report.conversation_id}`} size="sm" underline="always">
            {t('moderation.open_conversation')}
          </Anchor>
        </Group>
      </Stack>
    </Paper>
  )
}

/** The reported message, set off from the report as a quotation. */
const quoted = { borderLeft: '3px solid var(--mantine-color-default-border)' }
