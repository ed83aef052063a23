import { Button, Paper, Stack, Text, Title } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'

/** On the profile page: the way to the notification preferences. */
export function NotificationPreferencesSection() {
  const { t } = useTranslation()
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="profile-notifications">
      <Stack align="flex-start">
        <Title order={2} size="h3" id="profile-notifications">
          {t('notifications.preferences.title')}
        </Title>
        <Text c="dimmed">{t('notifications.preferences.intro')}</Text>
        <Button component={Link} to="/profile/notifications" variant="light">
          {t('notifications.preferences_link')}
        </Button>
      </Stack>
    </Paper>
  )
}
