import {
  Button,
  Fieldset,
  Group,
  NumberInput,
  SimpleGrid,
  Stack,
  Switch,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../../api/client.ts'
import { notify } from '../notify.ts'
import { useBuilderError } from './errors.ts'
import { courseKey, courseListKey } from './keys.ts'

type Course = Schemas['Course']

const percent = (ratio: number) => Math.round(ratio * 100)

function inRange(value: number | string, min: number, max: number) {
  const n = Number(value)
  return value !== '' && Number.isFinite(n) && n >= min && n <= max
}

/** The course's name, description and the rules its students follow (playback speed, thresholds). */
export function CourseDetails({ course }: { course: Course }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const message = useBuilderError()
  const form = useForm({
    initialValues: {
      name: course.name,
      description: course.description ?? '',
      max_playback_rate: course.max_playback_rate as number | string,
      allow_video_download: course.allow_video_download,
      video_percent: percent(course.video_completion_threshold) as number | string,
      quiz_percent: percent(course.quiz_pass_threshold) as number | string,
    },
    validate: {
      name: (value) => (value.trim() ? null : t('teach.name_required')),
      max_playback_rate: (value) => (inRange(value, 1, 4) ? null : t('builder.invalid.playback_rate')),
      video_percent: (value) => (inRange(value, 50, 100) ? null : t('builder.invalid.video_percent')),
      quiz_percent: (value) => (inRange(value, 0, 100) ? null : t('builder.invalid.percent')),
    },
  })
  const submit = form.onSubmit(async (values) => {
    try {
      const updated = data(
        await api.PATCH('/api/lms/courses/{id}', {
          params: { path: { id: course.id } },
          body: {
            name: values.name.trim(),
            description: values.description.trim() ? values.description : null,
            max_playback_rate: Number(values.max_playback_rate),
            allow_video_download: values.allow_video_download,
            video_completion_threshold: Number(values.video_percent) / 100,
            quiz_pass_threshold: Number(values.quiz_percent) / 100,
          },
        }),
      )
      client.setQueryData(courseKey(course.id), updated)
      await client.invalidateQueries({ queryKey: courseListKey })
      form.resetDirty()
      notify(t('builder.details.saved'))
    } catch (err) {
      notify(message(err), 'red')
    }
  })
  const archived = course.status === 'archived'
  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <Title order={2} size="h3">
          {t('builder.details.title')}
        </Title>
        <Fieldset variant="unstyled" disabled={archived}>
          <Stack gap="sm">
            <TextInput label={t('teach.course_name')} {...form.getInputProps('name')} />
            <Textarea
              label={t('builder.details.description')}
              autosize
              minRows={2}
              maxRows={10}
              {...form.getInputProps('description')}
            />
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <NumberInput
                label={t('builder.details.max_playback_rate')}
                description={t('builder.details.max_playback_rate_hint')}
                min={1}
                max={4}
                step={0.25}
                decimalScale={2}
                decimalSeparator={t('quiz.decimal_separator')}
                suffix=" ×"
                {...form.getInputProps('max_playback_rate')}
              />
              <NumberInput
                label={t('builder.details.video_threshold')}
                description={t('builder.details.video_threshold_hint')}
                min={50}
                max={100}
                suffix=" %"
                {...form.getInputProps('video_percent')}
              />
              <NumberInput
                label={t('builder.details.quiz_threshold')}
                description={t('builder.details.quiz_threshold_hint')}
                min={0}
                max={100}
                suffix=" %"
                {...form.getInputProps('quiz_percent')}
              />
            </SimpleGrid>
            <Switch
              label={t('builder.details.allow_video_download')}
              description={t('builder.details.allow_video_download_hint')}
              {...form.getInputProps('allow_video_download', { type: 'checkbox' })}
            />
          </Stack>
        </Fieldset>
        {!archived && (
          <Group justify="flex-end">
            <Button type="submit" loading={form.submitting} disabled={!form.isDirty()}>
              {t('builder.details.save')}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  )
}
