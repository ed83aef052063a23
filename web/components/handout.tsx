import { Accordion, Anchor, Group, Stack, Text } from '@mantine/core'
import { IconFile, IconLink, IconLock, IconNotes } from '@tabler/icons-react'
import { useTranslation } from 'react-i18next'
import type { Schemas } from '../api/client.ts'
import { Markdown } from './markdown.tsx'

type Kms = Schemas['StudentCourse']['kms']

/** A course's handout (KMS): documents to read, links, files; what the course has not unlocked yet is counted. */
export function Handout({ kms }: { kms: Kms }) {
  const { t } = useTranslation()
  const available = kms.data.filter((r) => r.available)
  return (
    <Stack gap="sm" data-testid="handout">
      {available.length === 0 && <Text c="dimmed">{t('handout.empty')}</Text>}
      <Accordion variant="separated" multiple>
        {available.map((resource) => (
          <Accordion.Item key={resource.id} value={resource.id}>
            <Accordion.Control
              icon={
                resource.type === 'link' ? (
                  <IconLink size={18} />
                ) : resource.type === 'document' ? (
                  <IconNotes size={18} />
                ) : (
                  <IconFile size={18} />
                )
              }
            >
              {resource.title}
            </Accordion.Control>
            <Accordion.Panel>
              {resource.body && <Markdown>{resource.body}</Markdown>}
              {resource.url && (
                <Anchor href={resource.url} target="_blank" rel="noopener noreferrer">
                  {resource.url}
                </Anchor>
              )}
              {resource.file && (
                <Anchor href={resource.file.download_url} download={resource.file.name}>
                  {t('handout.download', { name: resource.file.name })}
                </Anchor>
              )}
            </Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
      {kms.locked > 0 && (
        <Group gap="xs" c="dimmed">
          <IconLock size={16} aria-hidden />
          <Text size="sm">{t('handout.locked', { count: kms.locked })}</Text>
        </Group>
      )}
    </Stack>
  )
}
