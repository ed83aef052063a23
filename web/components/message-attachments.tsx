import {
  ActionIcon,
  Anchor,
  Box,
  CloseButton,
  FileButton,
  Group,
  Image,
  Loader,
  Stack,
  Text,
} from '@mantine/core'
import { IconPaperclip } from '@tabler/icons-react'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../api/client.ts'
import { useFormat } from '../hooks/format.ts'
import { useErrorMessage } from './query-state.tsx'

// Files attached to messages (README, "Messaging"): uploaded into the conversation as they are chosen, then
// named in the message's `attachment_ids`; shown in the thread as links (images as a thumbnail too).

export type Attachment = Schemas['MessageAttachment']

/** The server's limit on files per message. */
const MAX_FILES = 5

/** A size as people read it: "48 Ko" / "48 KB", "1,2 Mo" / "1.2 MB". */
function useFileSize() {
  const { t } = useTranslation()
  const format = useFormat()
  return (bytes: number) =>
    bytes < 1024 * 1024
      ? t('messages.size_kb', { size: format.number(Math.max(1, Math.round(bytes / 1024))) })
      : t('messages.size_mb', { size: format.number(Math.round(bytes / 104_857.6) / 10) })
}

/** The files chosen for the message being written: uploaded at once, removable until it is sent. */
export function useAttachmentUploads(conversationId: string, onError: (message: string) => void) {
  const errorMessage = useErrorMessage()
  const [files, setFiles] = useState<Attachment[]>([])
  const [uploading, setUploading] = useState(0)
  const add = async (chosen: File[]) => {
    for (const file of chosen.slice(0, Math.max(0, MAX_FILES - files.length))) {
      setUploading((n) => n + 1)
      try {
        const body = new FormData()
        body.set('file', file, file.name)
        // The typed body names the form's field; the FormData carries the file.
        const stored = data(
          await api.POST('/api/conversations/{id}/attachments', {
            params: { path: { id: conversationId } },
            body: { file: '' },
            bodySerializer: () => body,
          }),
        )
        setFiles((current) => [...current, stored])
      } catch (err) {
        onError(errorMessage(err))
      } finally {
        setUploading((n) => n - 1)
      }
    }
  }
  return {
    files,
    uploading: uploading > 0,
    full: files.length >= MAX_FILES,
    add,
    remove: (id: string) => setFiles((current) => current.filter((f) => f.id !== id)),
    /** After sending: the files that went with the message leave the composer. */
    sent: (ids: string[]) => setFiles((current) => current.filter((f) => !ids.includes(f.id))),
  }
}

/** The paperclip button of the composer. */
export function AttachButton({ uploads }: { uploads: ReturnType<typeof useAttachmentUploads> }) {
  const { t } = useTranslation()
  return (
    <FileButton onChange={(chosen) => void uploads.add(chosen)} multiple>
      {(props) => (
        <ActionIcon
          {...props}
          variant="subtle"
          size="lg"
          aria-label={t('messages.attach')}
          disabled={uploads.full}
          loading={uploads.uploading}
        >
          <IconPaperclip size={18} />
        </ActionIcon>
      )}
    </FileButton>
  )
}

/** The files waiting to go with the next message, each with a button to take it off. */
export function PendingAttachments({ uploads }: { uploads: ReturnType<typeof useAttachmentUploads> }) {
  const { t } = useTranslation()
  const size = useFileSize()
  if (uploads.files.length === 0 && !uploads.uploading) return null
  return (
    <Group gap="xs" data-testid="pending-attachments">
      {uploads.files.map((file) => (
        <Group key={file.id} gap={4} wrap="nowrap" px="xs" style={pill}>
          <IconPaperclip size={14} aria-hidden />
          <Text size="xs" truncate maw={180}>
            {file.name}
          </Text>
          <Text size="xs" c="dimmed">
            {size(file.size)}
          </Text>
          <CloseButton
            size="sm"
            aria-label={t('messages.remove_attachment', { name: file.name })}
            onClick={() => uploads.remove(file.id)}
          />
        </Group>
      ))}
      {uploads.uploading && <Loader size="xs" role="status" aria-label={t('messages.uploading')} />}
    </Group>
  )
}

const pill = {
  border: '1px solid var(--mantine-color-default-border)',
  borderRadius: 'var(--mantine-radius-xl)',
}

/** A message's files: a link to download each, with a thumbnail for images. */
export function MessageAttachments({ attachments }: { attachments: Attachment[] }) {
  const size = useFileSize()
  if (attachments.length === 0) return null
  return (
    <Stack gap={4} mt={4} data-testid="attachments">
      {attachments.map((file) => (
        <Box key={file.id}>
          {file.type.startsWith('image/') && (
            <Anchor href={file.url} target="_blank" rel="noopener">
              <Image src={file.url} alt={file.name} maw={240} mah={180} fit="contain" radius="sm" />
            </Anchor>
          )}
          <Group gap={4} wrap="nowrap">
            <IconPaperclip size={14} aria-hidden />
            <Anchor href={file.url} download={file.name} size="sm" c="inherit" underline="always" truncate>
              {file.name}
            </Anchor>
            <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
              {size(file.size)}
            </Text>
          </Group>
        </Box>
      ))}
    </Stack>
  )
}
