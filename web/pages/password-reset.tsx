import {
  Alert,
  Anchor,
  Button,
  Center,
  List,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { type ReactNode, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { ApiError, api } from '../api/client.ts'
import { weakPasswordAdvice } from '../components/password-advice.ts'
import { useErrorMessage } from '../components/query-state.tsx'
import { tokenFromHash } from '../hooks/link-token.ts'
import { useResetSession } from '../hooks/session.ts'

function AccountCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <Stack>
          <Title order={1} size="h2" c="var(--sillon-heading-color)">
            {title}
          </Title>
          {children}
        </Stack>
      </Paper>
    </Center>
  )
}

function BackToSignIn() {
  const { t } = useTranslation()
  return (
    <Anchor component={Link} to="/signin" size="sm" ta="center">
      {t('account.back_to_sign_in')}
    </Anchor>
  )
}

/**
 * "Forgot password": the address is sent, and the page says the same thing whatever the answer would have
 * revealed: the server answers alike for every address.
 */
export function ForgotPasswordPage() {
  const { t } = useTranslation()
  const errorMessage = useErrorMessage()
  const [error, setError] = useState<string | null>(null)
  const [sentTo, setSentTo] = useState<string | null>(null)
  const form = useForm({
    initialValues: { email: '' },
    validate: { email: (v) => (/^\S+@\S+\.\S+$/.test(v) ? null : t('sign_in.email_invalid')) },
  })
  const submit = form.onSubmit(async ({ email }) => {
    setError(null)
    try {
      await api.POST('/api/auth/password/forgot', { body: { email: email.trim() } })
      setSentTo(email.trim())
    } catch (err) {
      setError(errorMessage(err))
    }
  })

  return (
    <AccountCard title={t('account.forgot_title')}>
      {sentTo ? (
        <Alert color="green" role="status">
          {t('account.forgot_sent', { email: sentTo })}
        </Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <Text>{t('account.forgot_intro')}</Text>
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
            <Button type="submit" loading={form.submitting} fullWidth>
              {t('account.forgot_submit')}
            </Button>
          </Stack>
        </form>
      )}
      <BackToSignIn />
    </AccountCard>
  )
}

/**
 * Choosing a new password from a reset link, with the strength rule of the join page (the server judges,
 * zxcvbn's advice is shown). Every session of the account ends: the person then signs in again.
 */
export function ResetPasswordPage() {
  const { t, i18n } = useTranslation()
  const navigate = useNavigate()
  const resetSession = useResetSession()
  const errorMessage = useErrorMessage()
  const [token] = useState(tokenFromHash)
  const [error, setError] = useState<string | null>(null)
  const [advice, setAdvice] = useState<string[]>([])
  const [linkSpent, setLinkSpent] = useState(false)
  const form = useForm({
    initialValues: { password: '', confirm: '' },
    validate: {
      password: (v) => (v.length >= 8 ? null : t('join.password_short')),
      confirm: (v, values) => (v === values.password ? null : t('join.password_mismatch')),
    },
  })
  const submit = form.onSubmit(async ({ password }) => {
    setError(null)
    setAdvice([])
    try {
      await api.POST('/api/auth/password/reset', { body: { token, new_password: password } })
      history.replaceState(null, '', window.location.pathname)
      await resetSession()
      navigate('/signin', { replace: true, state: { passwordReset: true } })
    } catch (err) {
      setError(errorMessage(err))
      setAdvice(weakPasswordAdvice(err, i18n.language))
      setLinkSpent(err instanceof ApiError && err.code === 'reset_link_invalid')
    }
  })

  return (
    <AccountCard title={t('account.reset_title')}>
      {token.length < 16 ? (
        <Alert color="red">{t('account.reset_no_token')}</Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <Text>{t('account.reset_intro')}</Text>
            <PasswordInput
              label={t('account.new_password')}
              autoComplete="new-password"
              description={t('join.password_hint')}
              visibilityToggleButtonProps={{ 'aria-label': t('sign_in.show_password') }}
              required
              {...form.getInputProps('password')}
            />
            <PasswordInput
              label={t('join.confirm')}
              autoComplete="new-password"
              visibilityToggleButtonProps={{ 'aria-label': t('sign_in.show_password') }}
              required
              {...form.getInputProps('confirm')}
            />
            {error && (
              <Alert color="red" role="alert">
                {error}
                {advice.length > 0 && (
                  <List size="sm" mt="xs" aria-label={t('join.weak_password_advice')}>
                    {advice.map((line) => (
                      <List.Item key={line}>{line}</List.Item>
                    ))}
                  </List>
                )}
                {linkSpent && (
                  <Anchor component={Link} to="/forgot-password" display="block" mt="xs">
                    {t('account.ask_again')}
                  </Anchor>
                )}
              </Alert>
            )}
            <Button type="submit" loading={form.submitting} fullWidth>
              {t('account.reset_submit')}
            </Button>
          </Stack>
        </form>
      )}
      <BackToSignIn />
    </AccountCard>
  )
}
