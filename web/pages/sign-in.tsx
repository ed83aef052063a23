import {
  Alert,
  Anchor,
  Button,
  Center,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useNavigate } from 'react-router'
import { api } from '../api/client.ts'
import { useErrorMessage } from '../components/query-state.tsx'
import { useResetSession } from '../hooks/session.ts'
import { chooseLanguage, type Language, languages } from '../i18n/index.ts'

export function SignInPage() {
  const { t, i18n } = useTranslation()
  const navigate = useNavigate()
  const location = useLocation()
  const passwordReset = (location.state as { passwordReset?: boolean } | null)?.passwordReset === true
  const reset = useResetSession()
  const errorMessage = useErrorMessage()
  const [error, setError] = useState<string | null>(null)
  // A language picked here, just before signing in, becomes the account's: it wins over the language the
  // account had, as the person has just said which one they read.
  const [picked, setPicked] = useState<Language | null>(null)
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (v) => (/^\S+@\S+\.\S+$/.test(v) ? null : t('sign_in.email_invalid')),
      password: (v) => (v.length > 0 ? null : t('sign_in.password_required')),
    },
  })

  const submit = form.onSubmit(async (values) => {
    setError(null)
    try {
      await api.POST('/api/auth/login', { body: values })
      // Signed in already: should saving the language fail, the session still opens, in the account's.
      if (picked) await api.PATCH('/api/auth/me', { body: { locale: picked } }).catch(() => undefined)
      await reset()
      navigate('/')
    } catch (err) {
      setError(errorMessage(err))
    }
  })

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <form onSubmit={submit} noValidate>
          <Stack>
            <div>
              <Title order={1} size="h2" c="var(--sillon-heading-color)">
                Sillon
              </Title>
              <Text c="dimmed">{t('sign_in.subtitle')}</Text>
            </div>
            {passwordReset && !error && (
              <Alert color="green" role="status">
                {t('account.reset_done')}
              </Alert>
            )}
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <TextInput
              label={t('sign_in.email')}
              type="email"
              autoComplete="username"
              required
              {...form.getInputProps('email')}
            />
            <PasswordInput
              label={t('sign_in.password')}
              autoComplete="current-password"
              visibilityToggleButtonProps={{ 'aria-label': t('sign_in.show_password') }}
              required
              {...form.getInputProps('password')}
            />
            <Anchor component={Link} to="/forgot-password" size="sm" mt={-8}>
              {t('account.forgot_link')}
            </Anchor>
            <Button type="submit" loading={form.submitting} fullWidth>
              {t('sign_in.submit')}
            </Button>
            <Group justify="center" gap="md">
              {languages.map((language) => (
                <Anchor
                  key={language}
                  component="button"
                  type="button"
                  size="sm"
                  lang={language}
                  fw={i18n.language === language ? 700 : 400}
                  aria-pressed={i18n.language === language}
                  onClick={() => {
                    chooseLanguage(language)
                    setPicked(language)
                  }}
                >
                  {t(`languages.${language}`)}
                </Anchor>
              ))}
            </Group>
          </Stack>
        </form>
      </Paper>
    </Center>
  )
}
