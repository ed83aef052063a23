import { Card, NumberInput, Select, SimpleGrid, Stack, TextInput, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../../api/client.ts'
import { notify } from '../../components/notify.ts'
import { RetentionCard } from '../../components/personal-data.tsx'
import { QueryState, useErrorMessage } from '../../components/query-state.tsx'
import { SchoolExportCard } from '../../components/school-export.tsx'
import { fieldErrors, SaveFooter, useWholeNumber } from '../../components/settings/forms.tsx'
import { meKey } from '../../hooks/session.ts'
import { languages } from '../../i18n/index.ts'

type Organisation = NonNullable<Schemas['Organisation']>
type Values = Pick<Organisation, 'name' | 'default_locale' | 'timezone' | 'abandoned_days'>

const organisationKey = ['organisation'] as const

/** The IANA zones the browser knows, the school's own first if the browser does not list it. */
function useTimeZones(current: string) {
  return useMemo(() => {
    const zones = Intl.supportedValuesOf('timeZone')
    return zones.includes(current) ? zones : [current, ...zones]
  }, [current])
}

function SchoolForm({ organisation }: { organisation: Organisation }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const whole = useWholeNumber()
  const [error, setError] = useState<string | null>(null)
  const zones = useTimeZones(organisation.timezone)
  const initial: Values = {
    name: organisation.name,
    default_locale: organisation.default_locale,
    timezone: organisation.timezone,
    abandoned_days: organisation.abandoned_days,
  }
  const form = useForm<Values>({
    initialValues: initial,
    validate: {
      name: (v) => (v.trim() ? null : t('settings.school.name_required')),
      abandoned_days: whole(1, 365),
    },
  })
  const submit = form.onSubmit(async (values) => {
    setError(null)
    try {
      const saved = data(await api.PATCH('/api/organisation', { body: values }))
      client.setQueryData(organisationKey, saved)
      // The header's school, dates in its time zone and course reports all read the school's settings.
      await Promise.all([
        client.invalidateQueries({ queryKey: meKey }),
        client.invalidateQueries({ queryKey: ['course-analytics'] }),
      ])
      form.resetDirty(values)
      notify(t('settings.school.saved'))
    } catch (err) {
      const fields = fieldErrors(err)
      if (fields) form.setErrors(fields)
      setError(errorMessage(err))
    }
  })
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Card withBorder>
          <Stack>
            <Title order={2} size="h3">
              {t('settings.school.identity_title')}
            </Title>
            <TextInput
              label={t('settings.school.name')}
              required
              maxLength={200}
              {...form.getInputProps('name')}
            />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Select
                label={t('settings.school.default_locale')}
                description={t('settings.school.default_locale_description')}
                data={languages.map((l) => ({ value: l, label: t(`languages.${l}`) }))}
                allowDeselect={false}
                {...form.getInputProps('default_locale')}
              />
              <Select
                label={t('settings.school.timezone')}
                description={t('settings.school.timezone_description')}
                data={zones}
                searchable
                allowDeselect={false}
                nothingFoundMessage={t('settings.school.timezone_nothing')}
                {...form.getInputProps('timezone')}
              />
            </SimpleGrid>
          </Stack>
        </Card>
        <Card withBorder>
          <Stack>
            <Title order={2} size="h3">
              {t('settings.school.follow_up_title')}
            </Title>
            <NumberInput
              label={t('settings.school.abandoned_days')}
              description={t('settings.school.abandoned_days_description')}
              min={1}
              max={365}
              allowDecimal={false}
              clampBehavior="none"
              maw={420}
              {...form.getInputProps('abandoned_days')}
            />
          </Stack>
        </Card>
        <SaveFooter error={error} label={t('settings.school.save')} saving={form.submitting} />
      </Stack>
    </form>
  )
}

/** The school's own settings: its name, language and time zone, and when the reports count an abandonment. */
export function SchoolSettingsPage() {
  const { t } = useTranslation()
  const query = useQuery({
    queryKey: organisationKey,
    queryFn: async () => data(await api.GET('/api/organisation')),
  })
  return (
    <Stack gap="lg">
      <Title order={1} size="h2">
        {t('settings.school.title')}
      </Title>
      {/* The OpenAPI type is nullable because "me" shares it; this route always answers with the school. */}
      <QueryState query={query}>
        {(organisation) => organisation && <SchoolForm organisation={organisation} />}
      </QueryState>
      <RetentionCard />
      <SchoolExportCard />
    </Stack>
  )
}
