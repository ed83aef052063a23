import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  FileInput,
  Group,
  Modal,
  Paper,
  Progress,
  Radio,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { useMediaQuery } from '@mantine/hooks'
import { IconFile, IconLink, IconNotes, IconPlus, IconTrash } from '@tabler/icons-react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type CSSProperties, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, api, data, type Schemas } from '../../api/client.ts'
import { useFormat } from '../../hooks/format.ts'
import { notify } from '../notify.ts'
import { QueryState } from '../query-state.tsx'
import { ConfirmModal } from './confirm.tsx'
import { useBuilderError } from './errors.ts'
import { kmsKey } from './keys.ts'

type Course = Schemas['Course']
type Resource = Schemas['KmsResource']
type Kind = Resource['type']

// The extensions the server accepts for a handout file (src/modules/catalog/kms/service.ts, KMS_FILE_TYPES).
const ACCEPTED_FILES =
  '.pdf,.txt,.md,.csv,.png,.jpg,.jpeg,.gif,.webp,.mp3,.mp4,.zip,.odt,.ods,.odp,.docx,.xlsx,.pptx'

const listStyle: CSSProperties = { listStyle: 'none', margin: 0, padding: 0 }

type ErrorBody = { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null

/**
 * Uploads a handout file with its progress. XMLHttpRequest, not fetch: only it reports upload progress.
 * Failures become the same ApiError as the typed client's.
 */
function uploadKmsFile(
  courseId: string,
  form: FormData,
  onProgress: (ratio: number) => void,
): Promise<Resource> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/api/courses/${encodeURIComponent(courseId)}/kms`)
    xhr.responseType = 'json'
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total)
    }
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(xhr.response as Resource)
        return
      }
      const body = xhr.response as ErrorBody
      reject(
        new ApiError(
          xhr.status,
          body?.error?.code ?? `http_${xhr.status}`,
          body?.error?.message ?? xhr.statusText,
          body?.error?.details ?? {},
        ),
      )
    }
    xhr.onerror = () => reject(new TypeError('upload failed'))
    xhr.send(form)
  })
}

type ResourceValues = {
  kind: Kind
  title: string
  body: string
  url: string
  file: File | null
  available_in_advance: boolean
}

function AddResourceForm({ courseId, onDone }: { courseId: string; onDone: () => void }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const message = useBuilderError()
  const f = useFormat()
  const [error, setError] = useState<string | null>(null)
  const [progress, setProgress] = useState<number | null>(null)
  const form = useForm<ResourceValues>({
    initialValues: {
      kind: 'document',
      title: '',
      body: '',
      url: '',
      file: null,
      available_in_advance: false,
    },
    validate: {
      title: (value, values) => (values.kind !== 'file' && !value.trim() ? t('builder.invalid.title') : null),
      body: (value, values) =>
        values.kind === 'document' && !value.trim() ? t('builder.invalid.body') : null,
      url: (value, values) =>
        values.kind === 'link' && !(URL.canParse(value.trim()) && /^https?:/.test(value.trim()))
          ? t('builder.invalid.url')
          : null,
      file: (value, values) => (values.kind === 'file' && !value ? t('builder.invalid.file') : null),
    },
  })
  const kind = form.values.kind
  const submit = form.onSubmit(async (values) => {
    setError(null)
    try {
      if (values.kind === 'file' && values.file) {
        const body = new FormData()
        body.set('file', values.file)
        if (values.title.trim()) body.set('title', values.title.trim())
        body.set('available_in_advance', String(values.available_in_advance))
        setProgress(0)
        await uploadKmsFile(courseId, body, setProgress)
      } else {
        const title = values.title.trim()
        const available_in_advance = values.available_in_advance
        data(
          await api.POST('/api/courses/{id}/kms', {
            params: { path: { id: courseId } },
            body:
              values.kind === 'link'
                ? { type: 'link', title, url: values.url.trim(), available_in_advance }
                : { type: 'document', title, body: values.body, available_in_advance },
          }),
        )
      }
      await client.invalidateQueries({ queryKey: kmsKey(courseId) })
      notify(t('builder.kms.added'))
      onDone()
    } catch (err) {
      setProgress(null)
      setError(message(err))
    }
  })
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Radio.Group label={t('builder.kms.kind')} {...form.getInputProps('kind')}>
          <Group mt="xs">
            <Radio value="document" label={t('builder.kms.types.document')} />
            <Radio value="link" label={t('builder.kms.types.link')} />
            <Radio value="file" label={t('builder.kms.types.file')} />
          </Group>
        </Radio.Group>
        <TextInput
          label={t('builder.kms.title_label')}
          description={kind === 'file' ? t('builder.kms.title_file_hint') : undefined}
          data-autofocus
          {...form.getInputProps('title')}
        />
        {kind === 'document' && (
          <Textarea
            label={t('builder.kms.body')}
            description={t('builder.step.content_hint')}
            autosize
            minRows={6}
            maxRows={20}
            {...form.getInputProps('body')}
          />
        )}
        {kind === 'link' && (
          <TextInput label={t('builder.kms.url')} type="url" {...form.getInputProps('url')} />
        )}
        {kind === 'file' && (
          <FileInput
            label={t('builder.kms.file')}
            description={t('builder.kms.file_hint')}
            accept={ACCEPTED_FILES}
            clearable
            clearButtonProps={{ 'aria-label': t('builder.kms.clear_file') }}
            {...form.getInputProps('file')}
          />
        )}
        <Switch
          label={t('builder.kms.in_advance')}
          description={t('builder.kms.in_advance_hint')}
          {...form.getInputProps('available_in_advance', { type: 'checkbox' })}
        />
        {progress !== null && (
          <Stack gap={4}>
            <Progress
              value={progress * 100}
              aria-label={t('builder.kms.uploading')}
              animated={progress < 1}
            />
            <Text size="sm" c="dimmed" aria-live="polite">
              {t('builder.kms.upload_progress', { percent: f.percent(progress) })}
            </Text>
          </Stack>
        )}
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={form.submitting}>
            {t('builder.kms.add')}
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

const kindIcon = { document: IconNotes, link: IconLink, file: IconFile }

function fileSize(bytes: number, locale: string) {
  const mega = bytes >= 1_000_000
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: mega ? 'megabyte' : 'kilobyte',
    maximumFractionDigits: 1,
  }).format(mega ? bytes / 1_000_000 : Math.max(bytes / 1000, 0.1))
}

function ResourceItem({
  resource,
  editable,
  onToggle,
  onDelete,
}: {
  resource: Resource
  editable: boolean
  onToggle: (value: boolean) => void
  onDelete: () => void
}) {
  const { t } = useTranslation()
  const f = useFormat()
  const Icon = kindIcon[resource.type]
  return (
    <Paper component="li" withBorder p="sm" data-testid="kms-resource">
      <Group gap="sm" wrap="wrap" justify="space-between">
        <Group gap="sm" wrap="nowrap" style={{ flex: '1 1 12rem', minWidth: 0 }}>
          <Icon size={20} aria-hidden />
          <Stack gap={2} style={{ minWidth: 0 }}>
            <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
              {resource.title}
            </Text>
            <Group gap={6}>
              <Badge variant="light" color="gray">
                {t(`builder.kms.types.${resource.type}`)}
              </Badge>
              {resource.url && (
                <Anchor href={resource.url} target="_blank" rel="noopener noreferrer" size="sm" lineClamp={1}>
                  {resource.url}
                </Anchor>
              )}
              {resource.file && (
                <Anchor href={resource.file.download_url} download={resource.file.name} size="sm">
                  {resource.file.name} ({fileSize(resource.file.size, f.locale)})
                </Anchor>
              )}
            </Group>
          </Stack>
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Switch
            label={
              <>
                {t('builder.kms.in_advance_short')}
                <VisuallyHidden> ({resource.title})</VisuallyHidden>
              </>
            }
            checked={resource.available_in_advance}
            disabled={!editable}
            onChange={(event) => onToggle(event.currentTarget.checked)}
          />
          {editable && (
            <ActionIcon
              variant="subtle"
              color="red"
              size="lg"
              aria-label={t('builder.kms.delete', { title: resource.title })}
              onClick={onDelete}
            >
              <IconTrash size={18} />
            </ActionIcon>
          )}
        </Group>
      </Group>
    </Paper>
  )
}

/** The course handout: documents, links and files, each open from the start or once the course is done. */
export function HandoutSection({ course }: { course: Course }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const message = useBuilderError()
  const phone = useMediaQuery('(max-width: 48em)')
  const [adding, setAdding] = useState(false)
  const [deleting, setDeleting] = useState<Resource | null>(null)
  const editable = course.status !== 'archived'
  const key = kmsKey(course.id)
  const query = useQuery({
    queryKey: key,
    queryFn: async () =>
      data(await api.GET('/api/courses/{id}/kms', { params: { path: { id: course.id } } })).data,
  })
  const toggle = useMutation({
    mutationFn: async ({ resource, value }: { resource: Resource; value: boolean }) =>
      data(
        await api.PATCH('/api/courses/{id}/kms/{resource_id}', {
          params: { path: { id: course.id, resource_id: resource.id } },
          body: { available_in_advance: value },
        }),
      ),
    // The switch turns at once; a refusal puts it back.
    onMutate: ({ resource, value }) =>
      client.setQueryData<Resource[]>(key, (list) =>
        list?.map((r) => (r.id === resource.id ? { ...r, available_in_advance: value } : r)),
      ),
    onError: (err) => {
      notify(message(err), 'red')
      void client.invalidateQueries({ queryKey: key })
    },
  })
  const remove = useMutation({
    mutationFn: async (resource: Resource) =>
      api.DELETE('/api/courses/{id}/kms/{resource_id}', {
        params: { path: { id: course.id, resource_id: resource.id } },
      }),
    onSuccess: async () => {
      setDeleting(null)
      notify(t('builder.kms.deleted'))
      await client.invalidateQueries({ queryKey: key })
    },
  })
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={2} size="h3">
          {t('builder.kms.title')}
        </Title>
        {editable && (
          <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
            {t('builder.kms.add')}
          </Button>
        )}
      </Group>
      <Text size="sm" c="dimmed">
        {t('builder.kms.hint')}
      </Text>
      <QueryState query={query}>
        {(resources) =>
          resources.length === 0 ? (
            <Text c="dimmed">{t('builder.kms.empty')}</Text>
          ) : (
            <Stack component="ul" gap="xs" style={listStyle} aria-label={t('builder.kms.title')}>
              {resources.map((resource) => (
                <ResourceItem
                  key={resource.id}
                  resource={resource}
                  editable={editable}
                  onToggle={(value) => toggle.mutate({ resource, value })}
                  onDelete={() => {
                    remove.reset()
                    setDeleting(resource)
                  }}
                />
              ))}
            </Stack>
          )
        }
      </QueryState>
      <Modal
        opened={adding}
        onClose={() => setAdding(false)}
        title={t('builder.kms.add_title')}
        size="lg"
        fullScreen={phone}
        closeButtonProps={{ 'aria-label': t('common.close') }}
      >
        {adding && <AddResourceForm courseId={course.id} onDone={() => setAdding(false)} />}
      </Modal>
      <ConfirmModal
        opened={deleting !== null}
        title={t('builder.kms.delete_title')}
        confirmLabel={t('common.delete')}
        loading={remove.isPending}
        error={remove.error && message(remove.error)}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
      >
        {t('builder.kms.delete_text', { title: deleting?.title ?? '' })}
      </ConfirmModal>
    </Stack>
  )
}
