import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { api, data } from '../api/client.ts'
import { QueryState, useErrorMessage } from '../components/query-state.tsx'
import { useResetSession } from '../hooks/session.ts'

/** The invitation link's secret rides in the fragment (#token=...), which never reaches a server log. */
function tokenFromHash(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get('token') ?? ''
}

/** Accepting an invitation: create the account (name, password) or join with the existing one. */
export function JoinPage() {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const reset = useResetSession()
  const errorMessage = useErrorMessage()
  const [token] = useState(tokenFromHash)
  const [error, setError] = useState<string | null>(null)
  const [joined, setJoined] = useState(false)
  const preview = useQuery({
    queryKey: ['invitation', token],
    queryFn: async () => data(await api.POST('/api/invitations/preview', { body: { token } })),
    enabled: token.length >= 16,
  })
  const form = useForm({
    initialValues: { name: '', password: '', confirm: '' },
    validate: {
      name: (v) => (preview.data?.account_exists || v.trim() ? null : t('join.name_required')),
      password: (v) => (preview.data?.account_exists || v.length >= 8 ? null : t('join.password_short')),
      confirm: (v, values) =>
        preview.data?.account_exists || v === values.password ? null : t('join.password_mismatch'),
    },
  })
  const submit = form.onSubmit(async (values) => {
    setError(null)
    try {
      const body = preview.data?.account_exists
        ? { token }
        : { token, name: values.name.trim(), password: values.password }
      const accepted = data(await api.POST('/api/invitations/accept', { body }))
      history.replaceState(null, '', window.location.pathname)
      if (accepted.signed_in) {
        await reset()
        navigate('/')
      } else setJoined(true)
    } catch (err) {
      setError(errorMessage(err))
    }
  })

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={460}>
        <Stack>
          <Title order={1} size="h2" c="sillon.9">
            {t('join.title')}
          </Title>
          {token.length < 16 ? (
            <Alert color="red">{t('join.no_token')}</Alert>
          ) : joined ? (
            <>
              <Alert color="sillon">{t('join.joined')}</Alert>
              <Button onClick={() => navigate('/signin')}>{t('sign_in.submit')}</Button>
            </>
          ) : (
            <QueryState query={preview}>
              {(invitation) => (
                <form onSubmit={submit} noValidate>
                  <Stack>
                    <Text>
                      {t('join.invited', {
                        school: invitation.organisation.name,
                        role: t(`roles.${invitation.role}`),
                      })}
                    </Text>
                    <TextInput label={t('members.email')} value={invitation.email} readOnly />
                    {invitation.account_exists ? (
                      <Text size="sm" c="dimmed">
                        {t('join.existing_account')}
                      </Text>
                    ) : (
                      <>
                        <TextInput
                          label={t('join.name')}
                          autoComplete="name"
                          required
                          {...form.getInputProps('name')}
                        />
                        <PasswordInput
                          label={t('join.password')}
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
                      </>
                    )}
                    {error && (
                      <Alert color="red" role="alert">
                        {error}
                      </Alert>
                    )}
                    <Button type="submit" loading={form.submitting}>
                      {t('join.accept')}
                    </Button>
                  </Stack>
                </form>
              )}
            </QueryState>
          )}
        </Stack>
      </Paper>
    </Center>
  )
}
