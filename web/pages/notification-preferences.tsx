import { Anchor, Button, Group, Paper, Radio, Stack, Text, Title } from '@mantine/core'
import { IconArrowLeft } from '@tabler/icons-react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { api, data, type Schemas } from '../api/client.ts'
import { notify } from '../components/notify.ts'
import { QueryState, useErrorMessage } from '../components/query-state.tsx'

type Preferences = Schemas['NotificationPreferences']
type Category = keyof Preferences
type Channel = Preferences[Category]

const categories: Category[] = ['messages', 'courses', 'reminders', 'achievements', 'billing']
const channels: Channel[] = ['in_app', 'email', 'off']
const preferencesKey = ['notification-preferences'] as const

/** How each category of notification reaches the member in this school: in Sillon, also by e-mail, or not. */
export function NotificationPreferencesPage() {
  const { t } = useTranslation()
  const query = useQuery({
    queryKey: preferencesKey,
    queryFn: async () => data(await api.GET('/api/me/notification-preferences')),
  })
  return (
    <Stack maw={640} gap="lg">
      <div>
        <Anchor component={Link} to="/profile" size="sm">
          <Group gap={4} component="span" wrap="nowrap">
            <IconArrowLeft size={14} aria-hidden />
            {t('profile.menu')}
          </Group>
        </Anchor>
        <Title order={1} c="var(--sillon-heading-color)">
          {t('notifications.preferences.title')}
        </Title>
        <Text c="dimmed">{t('notifications.preferences.intro')}</Text>
      </div>
      <QueryState query={query}>{(saved) => <PreferencesForm saved={saved} />}</QueryState>
    </Stack>
  )
}

function PreferencesForm({ saved }: { saved: Preferences }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const [chosen, setChosen] = useState<Preferences>(saved)
  const save = useMutation({
    mutationFn: async (body: Preferences) =>
      data(await api.PUT('/api/me/notification-preferences', { body })),
    onSuccess: (next) => {
      client.setQueryData(preferencesKey, next)
      setChosen(next)
      notify(t('notifications.preferences.saved'))
    },
    onError: (err) => notify(errorMessage(err), 'red'),
  })
  const changed = categories.some((c) => chosen[c] !== saved[c])
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        save.mutate(chosen)
      }}
    >
      <Stack gap="md">
        {categories.map((category) => (
          <Paper withBorder p="md" key={category}>
            <Radio.Group
              name={`notifications-${category}`}
              label={t(`notifications.preferences.categories.${category}`)}
              description={t(`notifications.preferences.hints.${category}`)}
              value={chosen[category]}
              onChange={(value) => setChosen((old) => ({ ...old, [category]: value as Channel }))}
            >
              <Group gap="md" mt="xs">
                {channels.map((channel) => (
                  <Radio
                    key={channel}
                    value={channel}
                    label={t(`notifications.preferences.channels.${channel}`)}
                  />
                ))}
              </Group>
            </Radio.Group>
          </Paper>
        ))}
        <Group>
          <Button type="submit" loading={save.isPending} disabled={!changed}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
