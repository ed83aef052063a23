import {
  Button,
  Card,
  Divider,
  Group,
  Modal,
  NumberInput,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { IconDownload, IconFileText, IconUserX } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../api/client.ts'
import { notify } from './notify.ts'
import { QueryState, useErrorMessage } from './query-state.tsx'
import { SaveFooter, useWholeNumber } from './settings/forms.tsx'

// Personal data (GDPR): a member's own download on their profile, and an administrator's access and erasure
// requests for a member. The files are plain links: the browser sends the session cookie and saves them.

/** Two links: the readable page (opens in a tab, to read, print or save as PDF) and the full JSON. */
function DataLinks({ base, page, json }: { base: string; page: string; json: string }) {
  return (
    <Group>
      <Button
        component="a"
        href={`${base}.html`}
        target="_blank"
        rel="noopener"
        variant="light"
        leftSection={<IconFileText size={16} />}
      >
        {page}
      </Button>
      <Button component="a" href={base} download variant="default" leftSection={<IconDownload size={16} />}>
        {json}
      </Button>
    </Group>
  )
}

/** The profile's section: what the active school keeps about the signed-in member. */
export function MyDataSection() {
  const { t } = useTranslation()
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="profile-data">
      <Stack>
        <Title order={2} size="h3" id="profile-data">
          {t('privacy.mine.title')}
        </Title>
        <Text c="dimmed">{t('privacy.mine.intro')}</Text>
        <DataLinks base="/api/me/data" page={t('privacy.mine.page')} json={t('privacy.mine.json')} />
      </Stack>
    </Paper>
  )
}

/**
 * An administrator's requests for one member: their data, and their erasure once their e-mail is typed
 * again. Give it a `key` per member, so that the confirmation starts empty for each.
 */
export function MemberDataModal({
  member,
  onClose,
  onErased,
}: {
  member: Schemas['Member'] | null
  onClose: () => void
  onErased: () => void
}) {
  const { t } = useTranslation()
  const errorMessage = useErrorMessage()
  const [confirm, setConfirm] = useState('')
  const [busy, setBusy] = useState(false)
  const confirmed = member !== null && confirm.trim().toLowerCase() === member.email.toLowerCase()
  const erase = async () => {
    if (!member) return
    setBusy(true)
    try {
      const result = data(
        await api.POST('/api/members/{user_id}/erase', {
          params: { path: { user_id: member.user_id } },
          body: { confirm_email: confirm.trim() },
        }),
      )
      const text = result.account_deleted ? 'privacy.member.erased_account' : 'privacy.member.erased'
      notify(t(text, { name: member.name }))
      onErased()
    } catch (err) {
      notify(errorMessage(err), 'red')
    } finally {
      setBusy(false)
    }
  }
  return (
    <Modal opened={member !== null} onClose={onClose} title={t('privacy.member.title')} size="lg">
      {member && (
        <Stack>
          <Text fw={600}>
            {member.name} — {member.email}
          </Text>
          <Text size="sm" c="dimmed">
            {t('privacy.member.intro')}
          </Text>
          <DataLinks
            base={`/api/members/${encodeURIComponent(member.user_id)}/data`}
            page={t('privacy.member.page')}
            json={t('privacy.member.json')}
          />
          <Divider />
          <Title order={3} size="h4" c="red.8">
            {t('privacy.member.erase_title')}
          </Title>
          <Text size="sm">{t('privacy.member.erase_intro')}</Text>
          <TextInput
            label={t('privacy.member.confirm', { email: member.email })}
            value={confirm}
            onChange={(e) => setConfirm(e.currentTarget.value)}
            autoComplete="off"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button
              color="red"
              leftSection={<IconUserX size={16} />}
              disabled={!confirmed}
              loading={busy}
              onClick={() => void erase()}
            >
              {t('privacy.member.erase')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  )
}

/**
 * The school's retention of former members' data (owners and admins, on the school settings page): empty
 * keeps it until someone asks for an erasure.
 */
export function RetentionCard() {
  const { t } = useTranslation()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const [error, setError] = useState<string | null>(null)
  const query = useQuery({
    queryKey: retentionKey,
    queryFn: async () => data(await api.GET('/api/privacy/settings')),
  })
  return (
    <QueryState query={query}>
      {(settings) => (
        <RetentionForm
          initial={settings.retention_days}
          error={error}
          save={async (days) => {
            setError(null)
            try {
              client.setQueryData(
                retentionKey,
                data(await api.PUT('/api/privacy/settings', { body: { retention_days: days } })),
              )
              notify(t('privacy.retention.saved'))
              return true
            } catch (err) {
              setError(errorMessage(err))
              return false
            }
          }}
        />
      )}
    </QueryState>
  )
}

const retentionKey = ['privacy-settings'] as const

function RetentionForm({
  initial,
  error,
  save,
}: {
  initial: number | null
  error: string | null
  save: (days: number | null) => Promise<boolean>
}) {
  const { t } = useTranslation()
  const whole = useWholeNumber()
  const form = useForm<{ days: number | string }>({
    initialValues: { days: initial ?? '' },
    validate: { days: (v) => (v === '' ? null : whole(1, 3650)(v)) },
  })
  const submit = form.onSubmit(async ({ days }) => {
    const value = days === '' ? null : Number(days)
    if (await save(value)) form.resetDirty({ days: value ?? '' })
  })
  return (
    <form onSubmit={submit} noValidate>
      <Card withBorder>
        <Stack>
          <Title order={2} size="h3">
            {t('privacy.retention.title')}
          </Title>
          <NumberInput
            label={t('privacy.retention.days')}
            description={t('privacy.retention.description')}
            placeholder={t('privacy.retention.keep')}
            min={1}
            max={3650}
            allowDecimal={false}
            clampBehavior="none"
            maw={420}
            {...form.getInputProps('days')}
          />
          <SaveFooter error={error} label={t('privacy.retention.save')} saving={form.submitting} />
        </Stack>
      </Card>
    </form>
  )
}
