import { Checkbox, JsonInput, NativeSelect, NumberInput, Stack } from '@mantine/core'
import type { UseFormReturnType } from '@mantine/form'
import { useTranslation } from 'react-i18next'
import type { Schemas } from '../../api/client.ts'
import { useWholeNumber } from './forms.tsx'

export type BadgeCriteria = Schemas['BadgeCriteria']
type CountedSignal = Extract<BadgeCriteria, { count: unknown }>['count']['signal']

const SIGNALS: CountedSignal[] = ['VIDEO_COMPLETED', 'QUIZ_PASSED', 'COURSE_COMPLETED']
const KINDS = ['count', 'streak', 'advanced'] as const

/** The criteria editor's fields: a simple form for one count or one streak, else the JSON itself. */
export type CriteriaValues = {
  kind: (typeof KINDS)[number]
  signal: CountedSignal
  perfect: boolean
  gte: number | string
  streak_days: number | string
  json: string
}

export function criteriaValues(criteria: BadgeCriteria | null): CriteriaValues {
  const values: CriteriaValues = {
    kind: 'count',
    signal: 'VIDEO_COMPLETED',
    perfect: false,
    gte: 1,
    streak_days: 7,
    json: criteria ? JSON.stringify(criteria, null, 2) : '',
  }
  if (!criteria) return values
  if ('count' in criteria) {
    return {
      ...values,
      signal: criteria.count.signal,
      perfect: criteria.count.perfect ?? false,
      gte: criteria.gte,
    }
  }
  if ('streak' in criteria) return { ...values, kind: 'streak', streak_days: criteria.streak.gte }
  return { ...values, kind: 'advanced' }
}

/** The criteria to send; the JSON is only parsed here, the server is the judge of its shape. */
export function criteriaOf(values: CriteriaValues): BadgeCriteria {
  if (values.kind === 'advanced') return JSON.parse(values.json) as BadgeCriteria
  if (values.kind === 'streak') return { streak: { gte: Number(values.streak_days) } }
  const perfect = values.perfect && values.signal === 'QUIZ_PASSED'
  return { count: { signal: values.signal, ...(perfect ? { perfect: true } : {}) }, gte: Number(values.gte) }
}

/** Rules for the criteria fields, checking only those of the kind chosen. */
export function useCriteriaRules() {
  const { t } = useTranslation()
  const whole = useWholeNumber()
  return {
    gte: (value: unknown, all: { criteria: CriteriaValues }) =>
      all.criteria.kind === 'count' ? whole(1, 1_000_000)(value) : null,
    streak_days: (value: unknown, all: { criteria: CriteriaValues }) =>
      all.criteria.kind === 'streak' ? whole(1, 3650)(value) : null,
    json: (value: string, all: { criteria: CriteriaValues }) => {
      if (all.criteria.kind !== 'advanced') return null
      try {
        JSON.parse(value)
        return null
      } catch {
        return t('settings.badges.json_invalid')
      }
    },
  }
}

/** Where the server's complaints about criteria show: on the field the person is editing. */
export function criteriaErrorField(values: CriteriaValues) {
  if (values.kind === 'advanced') return 'criteria.json'
  return values.kind === 'streak' ? 'criteria.streak_days' : 'criteria.gte'
}

/** Criteria in a line, as a table cell shows them. */
export function useCriteriaSummary() {
  const { t } = useTranslation()
  const summary = (criteria: BadgeCriteria): string => {
    if ('all' in criteria)
      return t('settings.badges.summary.all', { items: criteria.all.map(summary).join(' ; ') })
    if ('any' in criteria)
      return t('settings.badges.summary.any', { items: criteria.any.map(summary).join(' ; ') })
    if ('streak' in criteria) return t('settings.badges.summary.streak', { gte: criteria.streak.gte })
    const signal = t(`settings.badges.signals.${criteria.count.signal}`)
    const key = criteria.count.perfect ? 'perfect' : 'count'
    return t(`settings.badges.summary.${key}`, { signal, gte: criteria.gte })
  }
  return summary
}

/** The criteria fields of a badge form: count of a signal, streak, or advanced JSON. */
export function CriteriaEditor<T extends { criteria: CriteriaValues }>({
  form,
  disabled,
}: {
  form: UseFormReturnType<T>
  disabled: boolean
}) {
  const { t } = useTranslation()
  const values = form.getValues().criteria
  const chooseKind = (kind: CriteriaValues['kind']) => {
    // Going advanced starts from the simple criterion as it stands, to edit rather than retype.
    if (kind === 'advanced' && values.kind !== 'advanced') {
      try {
        form.setFieldValue('criteria.json', JSON.stringify(criteriaOf(values), null, 2) as never)
      } catch {
        // The simple fields are incomplete: the JSON stays as it was.
      }
    }
    form.setFieldValue('criteria.kind', kind as never)
  }
  return (
    <Stack gap="sm">
      <NativeSelect
        label={t('settings.badges.kind')}
        data={KINDS.map((kind) => ({ value: kind, label: t(`settings.badges.kinds.${kind}`) }))}
        value={values.kind}
        onChange={(event) => chooseKind(event.currentTarget.value as CriteriaValues['kind'])}
        disabled={disabled}
      />
      {values.kind === 'count' && (
        <>
          <NativeSelect
            label={t('settings.badges.signal')}
            data={SIGNALS.map((signal) => ({ value: signal, label: t(`settings.badges.signals.${signal}`) }))}
            disabled={disabled}
            {...form.getInputProps('criteria.signal')}
          />
          {values.signal === 'QUIZ_PASSED' && (
            <Checkbox
              label={t('settings.badges.perfect')}
              disabled={disabled}
              {...form.getInputProps('criteria.perfect', { type: 'checkbox' })}
            />
          )}
          <NumberInput
            label={t('settings.badges.at_least')}
            min={1}
            allowDecimal={false}
            clampBehavior="none"
            disabled={disabled}
            {...form.getInputProps('criteria.gte')}
          />
        </>
      )}
      {values.kind === 'streak' && (
        <NumberInput
          label={t('settings.badges.streak_days')}
          min={1}
          max={3650}
          allowDecimal={false}
          clampBehavior="none"
          disabled={disabled}
          {...form.getInputProps('criteria.streak_days')}
        />
      )}
      {values.kind === 'advanced' && (
        <JsonInput
          label={t('settings.badges.json')}
          description={t('settings.badges.json_description')}
          autosize
          minRows={4}
          maxRows={16}
          disabled={disabled}
          styles={{ input: { fontFamily: 'monospace' } }}
          {...form.getInputProps('criteria.json')}
        />
      )}
    </Stack>
  )
}
