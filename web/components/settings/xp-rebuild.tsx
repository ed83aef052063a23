import { Alert, Button, Code, Group, Progress, Stack, Text } from '@mantine/core'
import { IconHistory } from '@tabler/icons-react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Trans, useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../../api/client.ts'
import { useFormat } from '../../hooks/format.ts'
import { notify } from '../notify.ts'
import { useErrorMessage } from '../query-state.tsx'

type Run = Schemas['XpRebuild']

const rebuildKey = ['gamification', 'xp-rebuild'] as const
const inProgress = (run: Run | null | undefined) => run?.status === 'queued' || run?.status === 'running'

/** Where the latest run stands: a progress bar while it goes (polled), then when it finished, or why it failed. */
function RunState({ run }: { run: Run }) {
  const { t } = useTranslation()
  const format = useFormat()
  if (inProgress(run)) {
    const percent = run.total > 0 ? Math.round((run.processed / run.total) * 100) : 0
    return (
      <Stack gap={4}>
        <Progress
          value={run.status === 'queued' ? 0 : percent}
          animated
          aria-label={t('settings.gamification.rebuild.progress_label')}
        />
        <Text size="sm" c="dimmed">
          {run.status === 'queued'
            ? t('settings.gamification.rebuild.queued')
            : t('settings.gamification.rebuild.running', {
                processed: format.number(run.processed),
                total: format.number(run.total),
              })}
        </Text>
      </Stack>
    )
  }
  if (run.status === 'failed') {
    return (
      <Alert color="red" role="status">
        {t('settings.gamification.rebuild.failed', {
          date: format.dateTime(run.finished_at ?? run.requested_at),
          error: run.error ?? '',
        })}
      </Alert>
    )
  }
  return (
    <Text size="sm" role="status">
      {t('settings.gamification.rebuild.done', {
        date: format.dateTime(run.finished_at ?? run.requested_at),
        count: run.total,
        total: format.number(run.total),
      })}
    </Text>
  )
}

/**
 * Pays past activity again at the saved XP amounts: a background run on the server, whose progress is
 * polled while it goes and survives a reload. Unsaved amounts would not be applied: the button waits.
 */
export function ApplyToPastActivity({ unsaved }: { unsaved: boolean }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const query = useQuery({
    queryKey: rebuildKey,
    queryFn: async () => data(await api.GET('/api/gamification/xp-rebuild')).run,
    refetchInterval: (q) => (inProgress(q.state.data) ? 1000 : false),
  })
  const start = useMutation({
    mutationFn: async () => data(await api.POST('/api/gamification/xp-rebuild')),
    onSuccess: (result) => {
      client.setQueryData(rebuildKey, result.run)
      if (result.started) notify(t('settings.gamification.rebuild.started'))
    },
    onError: (err) => notify(errorMessage(err), 'red'),
  })
  const run = query.data
  return (
    <Stack gap="xs">
      <Group>
        <Button
          variant="light"
          leftSection={<IconHistory size={16} />}
          onClick={() => start.mutate()}
          loading={start.isPending}
          disabled={unsaved || inProgress(run)}
        >
          {t('settings.gamification.rebuild.apply')}
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        {unsaved ? t('settings.gamification.rebuild.save_first') : t('settings.gamification.rebuild.effect')}
      </Text>
      {run && <RunState run={run} />}
      <Text size="xs" c="dimmed">
        <Trans
          i18nKey="settings.gamification.rebuild.cli"
          values={{ command: 'sillon projections rebuild gamification_xp' }}
          components={{ code: <Code /> }}
        />
      </Text>
    </Stack>
  )
}
