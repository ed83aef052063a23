import { ActionIcon, Button, FileInput, Group, Stack, Table, Text, TextInput, Tooltip } from '@mantine/core'
import { useForm } from '@mantine/form'
import { IconTrash, IconUpload } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api, data } from '../../api/client.ts'
import { notify } from '../notify.ts'
import { useBuilderError } from './errors.ts'

const captionsKey = (classId: string) => ['captions', classId] as const

/**
 * The caption tracks (WebVTT) of a saved step's video: the list, an upload with its language and label,
 * and removal. Students get them in the player's captions menu.
 */
export function CaptionsEditor({ classId, disabled }: { classId: string; disabled: boolean }) {
  const { t } = useTranslation()
  const message = useBuilderError()
  const client = useQueryClient()
  const captions = useQuery({
    queryKey: captionsKey(classId),
    queryFn: async () =>
      data(await api.GET('/api/lms/classes/{id}/captions', { params: { path: { id: classId } } })),
  })
  const form = useForm({
    mode: 'controlled',
    initialValues: { file: null as File | null, language: '', label: '' },
    validate: {
      file: (value) => (value ? null : t('builder.captions.file_required')),
      language: (value) =>
        /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(value.trim())
          ? null
          : t('builder.captions.language_invalid'),
      label: (value) => (value.trim() ? null : t('builder.captions.label_required')),
    },
  })
  const upload = async (values: typeof form.values) => {
    if (!values.file) return
    const body = new FormData()
    body.set('file', values.file)
    body.set('language', values.language.trim())
    body.set('label', values.label.trim())
    try {
      // The typed body names the form's fields; the FormData carries them, file included.
      await api.POST('/api/lms/classes/{id}/captions', {
        params: { path: { id: classId } },
        body: { file: '', language: values.language.trim(), label: values.label.trim() },
        bodySerializer: () => body,
      })
      form.reset()
      await client.invalidateQueries({ queryKey: captionsKey(classId) })
      notify(t('builder.captions.added'))
    } catch (err) {
      notify(message(err), 'red')
    }
  }
  const remove = async (captionId: string) => {
    try {
      await api.DELETE('/api/lms/classes/{id}/captions/{caption_id}', {
        params: { path: { id: classId, caption_id: captionId } },
      })
      await client.invalidateQueries({ queryKey: captionsKey(classId) })
    } catch (err) {
      notify(message(err), 'red')
    }
  }
  const rows = captions.data ?? []
  return (
    <Stack gap="xs" data-testid="captions-editor">
      <Text size="sm" fw={700}>
        {t('builder.captions.title')}
      </Text>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('builder.captions.empty')}
        </Text>
      ) : (
        <Table>
          <Table.Tbody>
            {rows.map((caption) => (
              <Table.Tr key={caption.id}>
                <Table.Td>{caption.label}</Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {caption.language}
                  </Text>
                </Table.Td>
                <Table.Td w={40}>
                  <Tooltip label={t('builder.captions.remove', { label: caption.label })}>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      disabled={disabled}
                      aria-label={t('builder.captions.remove', { label: caption.label })}
                      onClick={() => void remove(caption.id)}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Tooltip>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {!disabled && (
        // A form inside the step's form is not valid HTML: the upload is its own group, sent by its button.
        <Stack gap="xs">
          <FileInput
            label={t('builder.captions.file')}
            description={t('builder.captions.file_hint')}
            accept=".vtt,text/vtt"
            clearable
            clearButtonProps={{ 'aria-label': t('builder.captions.clear_file') }}
            {...form.getInputProps('file')}
          />
          <Group grow align="flex-start">
            <TextInput
              label={t('builder.captions.language')}
              description={t('builder.captions.language_hint')}
              {...form.getInputProps('language')}
            />
            <TextInput
              label={t('builder.captions.label')}
              description={t('builder.captions.label_hint')}
              {...form.getInputProps('label')}
            />
          </Group>
          <Group>
            <Button
              variant="light"
              leftSection={<IconUpload size={16} />}
              onClick={() => {
                if (!form.validate().hasErrors) void upload(form.values)
              }}
            >
              {t('builder.captions.add')}
            </Button>
          </Group>
        </Stack>
      )}
    </Stack>
  )
}
