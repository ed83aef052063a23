import { Button, Card, Stack, Text, Title } from '@mantine/core'
import { IconDownload } from '@tabler/icons-react'
import { useTranslation } from 'react-i18next'
import { useMe } from '../hooks/session.ts'

/**
 * The owners' download of the whole school, to move it to another Sillon instance: a plain link, so that
 * the browser streams the archive to disk instead of holding it in memory.
 */
export function SchoolExportCard() {
  const { t } = useTranslation()
  const me = useMe().data
  const school = me?.organisation
  if (!school || me.role !== 'owner') return null
  return (
    <Card withBorder>
      <Stack align="flex-start">
        <Title order={2} size="h3">
          {t('transfer.title')}
        </Title>
        <Text c="dimmed" maw={720}>
          {t('transfer.description')}
        </Text>
        <Button
          component="a"
          href={`/api/organisations/${encodeURIComponent(school.id)}/export`}
          download
          variant="light"
          leftSection={<IconDownload size={18} aria-hidden />}
        >
          {t('transfer.download')}
        </Button>
      </Stack>
    </Card>
  )
}
