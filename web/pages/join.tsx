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
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { ApiError, api, data } from '../api/client.ts'
import { weakPasswordAdvice } from '../components/password-advice.ts'
import { QueryState, useErrorMessage } from '../components/query-state.tsx'
import { tokenFromHash } from '../hooks/link-token.ts'
import { useResetSession } from '../hooks/session.ts'

/**
 * Accepting an invitation: create the account (name, password), or sign in with the account that already
 * uses the address and accept. The page is not told whether such an account exists (the inviting school
 * must not learn it): the person says so, or the server answers `sign_in_required`.
 */
export function JoinPage() {
  const { t, i18n } = useTranslation()
  const navigate = useNavigate()
  const reset = useResetSession()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const [token] = useState(tokenFromHash)
  const [error, setError] = useState<string | null>(null)
  const [advice, setAdvice] = useState<string[]>([])
  const [mode, setMode] = useState<'create' | 'sign-in'>('create')
  const preview = useQuery({
    queryKey: ['invitation', token],
    queryFn: async () => data(await api.POST('/api/invitations/preview', { body: { token } })),
    enabled: token.length >= 16,
  })
  const invitee = preview.data?.signed_in_as_invitee ?? false
  const form = useForm({
    initialValues: { name: '', password: '', confirm: '', current: '' },
    validate: {
      name: (v) =>
        invitee || mode === 'sign-in' || v.trim() || preview.data?.name ? null : t('join.name_required'),
      password: (v) => (invitee || mode === 'sign-in' || v.length >= 8 ? null : t('join.password_short')),
      confirm: (v, values) =>
        invitee || mode === 'sign-in' || v === values.password ? null : t('join.password_mismatch'),
      current: (v) => (mode === 'sign-in' && !invitee && !v ? t('sign_in.password_required') : null),
    },
  })

  const accept = async (body: { token: string; name?: string; password?: string }) => {
    const accepted = data(await api.POST('/api/invitations/accept', { body }))
    history.replaceState(null, '', window.location.pathname)
    await reset()
    if (accepted.signed_in) navigate('/')
    else navigate('/signin')
  }

  const submit = form.onSubmit(async (values) => {
    setError(null)
    setAdvice([])
    try {
      if (invitee) await accept({ token })
      else if (mode === 'sign-in') {
        const email = preview.data?.email ?? ''
        data(await api.POST('/api/auth/login', { body: { email, password: values.current } }))
        await client.invalidateQueries({ queryKey: ['invitation', token] })
        await accept({ token })
      } else {
        const name = values.name.trim() || preview.data?.name || ''
        await accept({ token, name, password: values.password })
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'sign_in_required') setMode('sign-in')
      setError(errorMessage(err))
      setAdvice(weakPasswordAdvice(err, i18n.language))
    }
  })

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={460}>
        <Stack>
          <Title order={1} size="h2" c="var(--sillon-heading-color)">
            {t('join.title')}
          </Title>
          {token.length < 16 ? (
            <Alert color="red">{t('join.no_token')}</Alert>
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
                    {invitee ? (
                      <Text size="sm">{t('join.accept_as', { email: invitation.email })}</Text>
                    ) : mode === 'sign-in' ? (
                      <>
                        <Text size="sm">{t('join.sign_in_to_accept', { email: invitation.email })}</Text>
                        <PasswordInput
                          label={t('join.current_password')}
                          autoComplete="current-password"
                          visibilityToggleButtonProps={{ 'aria-label': t('sign_in.show_password') }}
                          required
                          {...form.getInputProps('current')}
                        />
                        <Anchor component="button" type="button" size="sm" onClick={() => setMode('create')}>
                          {t('join.no_account')}
                        </Anchor>
                      </>
                    ) : (
                      <>
                        <Text fw={600}>{t('join.new_account')}</Text>
                        <TextInput
                          label={t('join.name')}
                          autoComplete="name"
                          placeholder={invitation.name ?? undefined}
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
                        <Anchor component="button" type="button" size="sm" onClick={() => setMode('sign-in')}>
                          {t('join.have_account')}
                        </Anchor>
                      </>
                    )}
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
                      </Alert>
                    )}
                    <Button type="submit" loading={form.submitting}>
                      {mode === 'sign-in' && !invitee ? t('join.sign_in_and_accept') : t('join.accept')}
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
