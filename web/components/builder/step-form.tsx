import {
  Alert,
  Button,
  Fieldset,
  Group,
  Modal,
  NativeSelect,
  NumberInput,
  Radio,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { useMediaQuery } from '@mantine/hooks'
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, data } from '../../api/client.ts'
import { notify } from '../notify.ts'
import { CaptionsEditor } from './captions-editor.tsx'
import { useBuilderError } from './errors.ts'
import { courseKey } from './keys.ts'
import { QuizEditor, type StepForm as StepFormValues } from './quiz-editor.tsx'
import {
  needsQuiz,
  needsVideo,
  type Step,
  type StepDraft,
  type StepType,
  stepBody,
  stepDraft,
  stepErrors,
  stepTypes,
} from './step-draft.ts'

/** The video's source and duration; its captions once the step is saved (tracks attach to a step). */
function VideoFields({ form, stepId }: { form: StepFormValues; stepId: string | null }) {
  const { t } = useTranslation()
  const stream = form.values.video.source === 'stream'
  return (
    <Stack gap="sm">
      <Radio.Group label={t('builder.video.source')} {...form.getInputProps('video.source')}>
        <Group mt="xs">
          <Radio value="url" label={t('builder.video.source_url')} />
          <Radio value="stream" label={t('builder.video.source_stream')} />
        </Group>
      </Radio.Group>
      {stream ? (
        <TextInput
          label={t('builder.video.uid')}
          description={t('builder.video.uid_hint')}
          autoComplete="off"
          spellCheck={false}
          {...form.getInputProps('video.uid')}
        />
      ) : (
        <TextInput
          label={t('builder.video.url')}
          description={t('builder.video.url_hint')}
          type="url"
          {...form.getInputProps('video.url')}
        />
      )}
      <NumberInput
        label={t('builder.video.duration')}
        description={t('builder.video.duration_hint')}
        min={1}
        max={86400}
        decimalScale={0}
        {...form.getInputProps('video.duration_sec')}
      />
      {stream && (
        <Switch
          label={t('builder.video.signed')}
          description={t('builder.video.signed_hint')}
          {...form.getInputProps('video.requires_signed_urls', { type: 'checkbox' })}
        />
      )}
      {!stream &&
        (stepId ? (
          <CaptionsEditor classId={stepId} disabled={false} />
        ) : (
          <Text size="sm" c="dimmed">
            {t('builder.captions.after_save')}
          </Text>
        ))}
    </Stack>
  )
}

function StepForm({ courseId, step, onDone }: { courseId: string; step: Step | null; onDone: () => void }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const message = useBuilderError()
  const [error, setError] = useState<string | null>(null)
  const form = useForm<StepDraft>({
    initialValues: stepDraft(step ?? undefined),
    validate: (values) =>
      Object.fromEntries(Object.entries(stepErrors(values)).map(([path, key]) => [path, t(key)])),
  })
  const type = form.values.step_type
  const submit = form.onSubmit(
    async (values) => {
      setError(null)
      try {
        const body = stepBody(values)
        if (step) {
          data(await api.PATCH('/api/lms/classes/{id}', { params: { path: { id: step.id } }, body }))
        } else {
          data(await api.POST('/api/lms/classes', { body: { ...body, course_id: courseId } }))
        }
        await client.invalidateQueries({ queryKey: courseKey(courseId) })
        notify(t('builder.step.saved'))
        onDone()
      } catch (err) {
        setError(message(err))
      }
    },
    () => setError(t('builder.fix_fields')),
  )
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <NativeSelect
          label={t('builder.step.type')}
          data={stepTypes.map((value) => ({ value, label: t(`step_types.${value}`) }))}
          value={type}
          onChange={(event) => form.setFieldValue('step_type', event.currentTarget.value as StepType)}
        />
        <TextInput label={t('builder.step.name')} data-autofocus {...form.getInputProps('name')} />
        <Textarea
          label={t('builder.step.description')}
          description={t('builder.step.description_hint')}
          autosize
          minRows={2}
          {...form.getInputProps('description')}
        />
        {needsVideo(type) && (
          <Fieldset legend={t('builder.step.video')} p="sm">
            <VideoFields form={form} stepId={step?.video ? step.id : null} />
          </Fieldset>
        )}
        {type === 'reading' && (
          <Textarea
            label={t('builder.step.content')}
            description={t('builder.step.content_hint')}
            autosize
            minRows={8}
            maxRows={24}
            {...form.getInputProps('content_md')}
          />
        )}
        {needsQuiz(type) && (
          <Fieldset legend={t('builder.step.quiz')} p="sm">
            <QuizEditor form={form} />
          </Fieldset>
        )}
        <TagsInput
          label={t('builder.step.skills')}
          description={t('builder.skills_hint')}
          {...form.getInputProps('skills')}
        />
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
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

/** Adds a step of any type to a course, or edits one; the modal fills the screen of a phone. */
export function StepModal({
  courseId,
  step,
  opened,
  onClose,
}: {
  courseId: string
  step: Step | null
  opened: boolean
  onClose: () => void
}) {
  const { t } = useTranslation()
  const phone = useMediaQuery('(max-width: 48em)')
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={t(step ? 'builder.step.edit_title' : 'builder.step.new_title')}
      size="xl"
      fullScreen={phone}
      closeButtonProps={{ 'aria-label': t('common.close') }}
    >
      {opened && <StepForm key={step?.id ?? 'new'} courseId={courseId} step={step} onDone={onClose} />}
    </Modal>
  )
}
