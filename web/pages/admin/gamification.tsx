import {
  Alert,
  Button,
  Card,
  Checkbox,
  Divider,
  Group,
  NumberInput,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Title,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { IconDeviceFloppy, IconInfoCircle } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../../api/client.ts'
import { notify } from '../../components/notify.ts'
import { QueryState, useErrorMessage } from '../../components/query-state.tsx'
import { BadgesSettings } from '../../components/settings/badges.tsx'
import { FormError, fieldErrors, useWholeNumber } from '../../components/settings/forms.tsx'
import { ApplyToPastActivity } from '../../components/settings/xp-rebuild.tsx'

type Settings = Schemas['GamificationSettings']
// The OpenAPI type marks every rule optional (each has a default); the server always answers with all of them.
type Rules = {
  xp: Required<NonNullable<Settings['xp']>>
  hearts: Required<NonNullable<Settings['hearts']>>
  streaks: Required<NonNullable<Settings['streaks']>>
}
type Signal = Rules['streaks']['qualifying_signals'][number]

const XP_CAUSES = [
  'video_completed',
  'quiz_passed',
  'perfect_quiz',
  'course_completed',
  'streak_day',
] as const
const SIGNALS: Signal[] = ['STEP_COMPLETED', 'VIDEO_COMPLETED', 'QUIZ_PASSED', 'QUIZ_ATTEMPTED']

const settingsKey = ['gamification', 'settings'] as const

/** The school's rules as one form: every field is sent on save, and the server's refusals land on their fields. */
function RulesForm({ rules }: { rules: Rules }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const whole = useWholeNumber()
  const [error, setError] = useState<string | null>(null)
  const form = useForm<Rules>({
    initialValues: rules,
    validate: {
      xp: Object.fromEntries(XP_CAUSES.map((cause) => [cause, whole(0, 10_000)])),
      hearts: { max_hearts: whole(1, 50), regen_interval_minutes: whole(1, 7 * 24 * 60) },
      streaks: {
        qualifying_signals: (v) => (v.length > 0 ? null : t('settings.gamification.qualifying_required')),
        freeze_every_days: whole(1, 365),
        max_freezes: whole(0, 10),
      },
    },
  })
  const submit = form.onSubmit(async (values) => {
    setError(null)
    try {
      const saved = data(await api.PATCH('/api/gamification/settings', { body: values })) as Rules
      client.setQueryData(settingsKey, saved)
      form.setValues(saved)
      form.resetDirty(saved)
      notify(t('settings.gamification.saved'))
    } catch (err) {
      const fields = fieldErrors(err)
      if (fields) form.setErrors(fields)
      setError(errorMessage(err))
    }
  })
  const number = (path: string, min: number, max: number) => ({
    min,
    max,
    allowDecimal: false,
    clampBehavior: 'none' as const,
    ...form.getInputProps(path),
  })
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Card withBorder>
          <Stack>
            <Title order={2} size="h3">
              {t('settings.gamification.xp_title')}
            </Title>
            <Alert color="blue" icon={<IconInfoCircle />}>
              {t('settings.gamification.xp_note')}
            </Alert>
            <SimpleGrid cols={{ base: 1, xs: 2, md: 3 }}>
              {XP_CAUSES.map((cause) => (
                <NumberInput
                  key={cause}
                  label={t(`settings.gamification.xp.${cause}`)}
                  description={t(`settings.gamification.xp_descriptions.${cause}`)}
                  suffix=" XP"
                  {...number(`xp.${cause}`, 0, 10_000)}
                />
              ))}
            </SimpleGrid>
            <ApplyToPastActivity unsaved={form.isDirty('xp')} />
          </Stack>
        </Card>
        <Card withBorder>
          <Stack>
            <Title order={2} size="h3">
              {t('settings.gamification.hearts_title')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('settings.gamification.hearts_intro')}
            </Text>
            <Switch
              label={t('settings.gamification.hearts_enabled')}
              {...form.getInputProps('hearts.enabled', { type: 'checkbox' })}
            />
            <SimpleGrid cols={{ base: 1, xs: 2 }}>
              <NumberInput
                label={t('settings.gamification.max_hearts')}
                disabled={!form.values.hearts.enabled}
                {...number('hearts.max_hearts', 1, 50)}
              />
              <NumberInput
                label={t('settings.gamification.regen_minutes')}
                disabled={!form.values.hearts.enabled}
                {...number('hearts.regen_interval_minutes', 1, 7 * 24 * 60)}
              />
            </SimpleGrid>
          </Stack>
        </Card>
        <Card withBorder>
          <Stack>
            <Title order={2} size="h3">
              {t('settings.gamification.streaks_title')}
            </Title>
            <Checkbox.Group
              label={t('settings.gamification.qualifying_signals')}
              {...form.getInputProps('streaks.qualifying_signals')}
            >
              <Stack gap="xs" mt="xs">
                {SIGNALS.map((signal) => (
                  <Checkbox
                    key={signal}
                    value={signal}
                    label={t(`settings.gamification.signals.${signal}`)}
                  />
                ))}
              </Stack>
            </Checkbox.Group>
            <SimpleGrid cols={{ base: 1, xs: 2 }}>
              <NumberInput
                label={t('settings.gamification.freeze_every_days')}
                description={t('settings.gamification.freeze_description')}
                {...number('streaks.freeze_every_days', 1, 365)}
              />
              <NumberInput
                label={t('settings.gamification.max_freezes')}
                {...number('streaks.max_freezes', 0, 10)}
              />
            </SimpleGrid>
          </Stack>
        </Card>
        <FormError message={error} />
        <Group>
          <Button type="submit" loading={form.submitting} leftSection={<IconDeviceFloppy size={16} />}>
            {t('settings.gamification.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

/** The school's gamification: its rules (XP, hearts, streaks), then its badges. */
export function GamificationSettingsPage() {
  const { t } = useTranslation()
  const query = useQuery({
    queryKey: settingsKey,
    queryFn: async () => data(await api.GET('/api/gamification/settings')) as Rules,
  })
  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        {t('settings.gamification.title')}
      </Title>
      <QueryState query={query}>{(rules) => <RulesForm rules={rules} />}</QueryState>
      <Divider />
      <BadgesSettings />
    </Stack>
  )
}
