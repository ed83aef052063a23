import {
  Alert,
  Autocomplete,
  Button,
  Code,
  Group,
  Modal,
  NumberInput,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { useDisclosure } from '@mantine/hooks'
import { IconInfoCircle, IconPencil, IconPlus } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, api, data, type Schemas } from '../../api/client.ts'
import { useFormat } from '../../hooks/format.ts'
import { BadgeIcon, badgeIconNames, useBadgeText } from '../game.tsx'
import { notify } from '../notify.ts'
import { QueryState, useErrorMessage } from '../query-state.tsx'
import {
  CriteriaEditor,
  type CriteriaValues,
  criteriaErrorField,
  criteriaOf,
  criteriaValues,
  useCriteriaRules,
  useCriteriaSummary,
} from './criteria.tsx'
import { FormError, fieldErrors, useWholeNumber } from './forms.tsx'

type Badge = Schemas['Badge']

const badgesKey = ['gamification', 'badges'] as const

type BadgeFormValues = {
  code: string
  name: string
  description: string
  icon: string
  points_reward: number | string
  criteria: CriteriaValues
}

/** The message for a refusal of the badge form, the 409s explained in the school's terms. */
function useBadgeError() {
  const { t } = useTranslation()
  const errorMessage = useErrorMessage()
  return (err: unknown) => {
    if (err instanceof ApiError && err.code === 'badge_awarded') return t('settings.badges.badge_awarded')
    if (err instanceof ApiError && err.code === 'badge_code_taken') return t('settings.badges.code_taken')
    return errorMessage(err)
  }
}

/** Creates a badge, or edits one; criteria stay fixed once a student holds the badge. */
function BadgeModal({ badge, onClose }: { badge: Badge | null; onClose: () => void }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const badgeError = useBadgeError()
  const wholeNumber = useWholeNumber()
  const criteriaRules = useCriteriaRules()
  const [error, setError] = useState<string | null>(null)
  const locked = (badge?.awarded_count ?? 0) > 0
  const text = useBadgeText()
  // A default badge shows its name in the admin's language; it is sent only if the admin changes it, so
  // that saving another field keeps it translated for every reader.
  const shown = badge ? text(badge) : null
  const form = useForm<BadgeFormValues>({
    initialValues: {
      code: badge?.code ?? '',
      name: shown?.name ?? '',
      description: shown?.description ?? '',
      icon: badge?.icon ?? '',
      points_reward: badge?.points_reward ?? 10,
      criteria: criteriaValues(badge?.criteria ?? null),
    },
    validate: {
      code: (v) => (badge || /^[a-z0-9][a-z0-9_-]{0,62}$/.test(v) ? null : t('settings.badges.code_invalid')),
      name: (v) => (v.trim() ? null : t('settings.badges.name_required')),
      points_reward: wholeNumber(0, 10_000),
      criteria: criteriaRules,
    },
  })
  const submit = form.onSubmit(async (values) => {
    setError(null)
    const name = values.name.trim()
    const description = values.description.trim() || null
    const fields = {
      ...(name !== shown?.name ? { name } : {}),
      ...(description !== (shown?.description || null) ? { description } : {}),
      icon: values.icon.trim() || null,
      points_reward: Number(values.points_reward),
    }
    try {
      if (badge) {
        const criteria = criteriaOf(values.criteria)
        // Unchanged criteria are left out, so editing the name of a badge students hold is never refused.
        const changed = !locked && JSON.stringify(criteria) !== JSON.stringify(badge.criteria)
        await api.PATCH('/api/gamification/badges/{id}', {
          params: { path: { id: badge.id } },
          body: { ...fields, ...(changed ? { criteria } : {}) },
        })
        notify(t('settings.badges.saved'))
      } else {
        await api.POST('/api/gamification/badges', {
          body: { code: values.code, ...fields, name, criteria: criteriaOf(values.criteria) },
        })
        notify(t('settings.badges.created'))
      }
      await client.invalidateQueries({ queryKey: badgesKey })
      onClose()
    } catch (err) {
      const issues = fieldErrors(err)
      if (issues) {
        const target = criteriaErrorField(values.criteria)
        form.setErrors(
          Object.fromEntries(
            Object.entries(issues).map(([path, message]) => [
              path.startsWith('criteria') ? target : path,
              message,
            ]),
          ),
        )
      }
      if (err instanceof ApiError && err.code === 'badge_code_taken')
        form.setFieldError('code', badgeError(err))
      setError(badgeError(err))
    }
  })
  return (
    <Modal
      opened
      onClose={onClose}
      title={badge ? t('settings.badges.edit_title') : t('settings.badges.new')}
      size="lg"
      closeButtonProps={{ 'aria-label': t('common.close') }}
    >
      <form onSubmit={submit} noValidate>
        <Stack>
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <TextInput
              label={t('settings.badges.name')}
              required
              data-autofocus
              {...form.getInputProps('name')}
            />
            {badge ? (
              <TextInput label={t('settings.badges.code')} value={badge.code} readOnly />
            ) : (
              <TextInput
                label={t('settings.badges.code')}
                description={t('settings.badges.code_description')}
                required
                {...form.getInputProps('code')}
              />
            )}
            <Autocomplete
              label={t('settings.badges.icon')}
              description={t('settings.badges.icon_description')}
              maxLength={64}
              data={badgeIconNames}
              leftSection={<BadgeIcon icon={form.values.icon.trim() || null} />}
              renderOption={({ option }) => (
                <Group gap="xs" wrap="nowrap">
                  <BadgeIcon icon={option.value} />
                  {option.value}
                </Group>
              )}
              {...form.getInputProps('icon')}
            />
            <NumberInput
              label={t('settings.badges.points')}
              min={0}
              max={10_000}
              allowDecimal={false}
              clampBehavior="none"
              {...form.getInputProps('points_reward')}
            />
          </SimpleGrid>
          <Textarea
            label={t('settings.badges.description')}
            autosize
            minRows={2}
            maxLength={500}
            {...form.getInputProps('description')}
          />
          <Title order={3} size="h5">
            {t('settings.badges.criteria')}
          </Title>
          {locked && badge && (
            <Alert color="blue" icon={<IconInfoCircle />}>
              {t('settings.badges.locked', { count: badge.awarded_count })}
            </Alert>
          )}
          <CriteriaEditor form={form} disabled={locked} />
          <FormError message={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={form.submitting}>
              {badge ? t('common.save') : t('settings.badges.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  )
}

function ActiveSwitch({ badge }: { badge: Badge }) {
  const { t } = useTranslation()
  const text = useBadgeText()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  // The switch moves at once; it settles on the server's answer, or springs back if refused.
  const [wanted, setWanted] = useState<boolean | null>(null)
  const setActive = async (active: boolean) => {
    setWanted(active)
    try {
      await api.PATCH('/api/gamification/badges/{id}', {
        params: { path: { id: badge.id } },
        body: { active },
      })
      await client.invalidateQueries({ queryKey: badgesKey })
      notify(
        t(active ? 'settings.badges.activated' : 'settings.badges.deactivated', { name: text(badge).name }),
      )
    } catch (err) {
      notify(errorMessage(err), 'red')
    } finally {
      setWanted(null)
    }
  }
  return (
    <Switch
      aria-label={t('settings.badges.active_label', { name: text(badge).name })}
      checked={wanted ?? badge.active}
      disabled={wanted !== null}
      onChange={(event) => void setActive(event.currentTarget.checked)}
    />
  )
}

/** The school's badges: what each asks and gives, who holds it, switched on or off, edited, created. */
export function BadgesSettings() {
  const { t } = useTranslation()
  const f = useFormat()
  const summary = useCriteriaSummary()
  const text = useBadgeText()
  const [creating, { open, close }] = useDisclosure()
  const [editing, setEditing] = useState<Badge | null>(null)
  const query = useQuery({
    queryKey: badgesKey,
    queryFn: async () => data(await api.GET('/api/gamification/badges')),
  })
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2} size="h3">
          {t('settings.badges.title')}
        </Title>
        <Button leftSection={<IconPlus size={16} />} onClick={open}>
          {t('settings.badges.new')}
        </Button>
      </Group>
      <Text c="dimmed" maw={720}>
        {t('settings.badges.intro')}
      </Text>
      {creating && <BadgeModal badge={null} onClose={close} />}
      {editing && <BadgeModal key={editing.id} badge={editing} onClose={() => setEditing(null)} />}
      <QueryState query={query}>
        {(badges) =>
          badges.length === 0 ? (
            <Text c="dimmed">{t('settings.badges.empty')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={860}>
              <Table striped data-testid="badges">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">
                      <VisuallyHidden>{t('settings.badges.icon')}</VisuallyHidden>
                    </Table.Th>
                    <Table.Th scope="col">{t('settings.badges.name')}</Table.Th>
                    <Table.Th scope="col">{t('settings.badges.code')}</Table.Th>
                    <Table.Th scope="col">{t('settings.badges.criteria')}</Table.Th>
                    <Table.Th scope="col">{t('settings.badges.points')}</Table.Th>
                    <Table.Th scope="col">{t('settings.badges.holders')}</Table.Th>
                    <Table.Th scope="col">{t('settings.badges.active')}</Table.Th>
                    <Table.Th scope="col">
                      <VisuallyHidden>{t('settings.actions')}</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {badges.map((badge) => (
                    <Table.Tr key={badge.id} data-testid={`badge-${badge.code}`}>
                      <Table.Td aria-hidden>
                        <BadgeIcon icon={badge.icon} size={22} />
                      </Table.Td>
                      <Table.Td>
                        <Text fw={500}>{text(badge).name}</Text>
                        {text(badge).description && (
                          <Text size="sm" c="dimmed">
                            {text(badge).description}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Code>{badge.code}</Code>
                      </Table.Td>
                      <Table.Td>{summary(badge.criteria)}</Table.Td>
                      <Table.Td>{f.number(badge.points_reward)}</Table.Td>
                      <Table.Td>{f.number(badge.awarded_count)}</Table.Td>
                      <Table.Td>
                        <ActiveSwitch badge={badge} />
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="compact-sm"
                          variant="light"
                          leftSection={<IconPencil size={14} />}
                          onClick={() => setEditing(badge)}
                        >
                          {t('settings.badges.edit')}
                          <VisuallyHidden> {text(badge).name}</VisuallyHidden>
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Stack>
  )
}
