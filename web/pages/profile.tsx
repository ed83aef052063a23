import {
  Alert,
  Button,
  Checkbox,
  FileButton,
  Group,
  List,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { IconPhotoUp, IconTrash } from '@tabler/icons-react'
import { useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, api, data } from '../api/client.ts'
import { NotificationPreferencesSection } from '../components/notification-preferences-link.tsx'
import { notify } from '../components/notify.ts'
import { weakPasswordAdvice } from '../components/password-advice.ts'
import { PersonAvatar } from '../components/person-avatar.tsx'
import { MyDataSection } from '../components/personal-data.tsx'
import { useErrorMessage } from '../components/query-state.tsx'
import { type Me, meKey } from '../hooks/session.ts'
import { chooseLanguage, languages } from '../i18n/index.ts'

/** The side of the square picture the browser sends: enough for the header and lists on any screen. */
const PICTURE_SIZE = 256

/**
 * The picture as a centred square of PICTURE_SIZE pixels, drawn by the browser: the server never decodes
 * images. WebP where the browser encodes it; toBlob falls back to PNG elsewhere, which the server accepts.
 */
async function squarePicture(file: File): Promise<Blob> {
  const bitmap = await createImageBitmap(file)
  const side = Math.min(bitmap.width, bitmap.height)
  const canvas = document.createElement('canvas')
  canvas.width = PICTURE_SIZE
  canvas.height = PICTURE_SIZE
  const context = canvas.getContext('2d')
  if (!context) throw new Error('no 2D canvas')
  context.imageSmoothingQuality = 'high'
  context.drawImage(
    bitmap,
    (bitmap.width - side) / 2,
    (bitmap.height - side) / 2,
    side,
    side,
    0,
    0,
    PICTURE_SIZE,
    PICTURE_SIZE,
  )
  bitmap.close()
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no image'))), 'image/webp', 0.9),
  )
}

/** The error's own wording on this page when it has one, else the shared one. */
function useProfileError() {
  const { t } = useTranslation()
  const shared = useErrorMessage()
  return (err: unknown) =>
    err instanceof ApiError ? t(`profile.errors.${err.code}`, { defaultValue: shared(err) }) : shared(err)
}

/** The person's own account: picture, name and language, password. */
export function ProfilePage({ me }: { me: Me }) {
  const { t } = useTranslation()
  return (
    <Stack maw={640} gap="lg">
      <div>
        <Title order={1} c="var(--sillon-heading-color)">
          {t('profile.title')}
        </Title>
        <Text c="dimmed">{t('profile.intro')}</Text>
      </div>
      <PictureSection me={me} />
      <DetailsSection me={me} />
      <PasswordSection />
      {me.role && <NotificationPreferencesSection />}
      {me.role && <MyDataSection />}
    </Stack>
  )
}

function PictureSection({ me }: { me: Me }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const message = useProfileError()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const saved = (next: Me, text: string) => {
    client.setQueryData(meKey, next)
    notify(text)
  }
  const upload = async (file: File | null) => {
    if (!file) return
    setError(null)
    setBusy(true)
    try {
      let square: Blob
      try {
        square = await squarePicture(file)
      } catch {
        setError(t('profile.picture.unreadable'))
        return
      }
      const body = new FormData()
      body.set('file', square, `picture.${square.type === 'image/webp' ? 'webp' : 'png'}`)
      // The typed body names the form's field; the FormData carries the file.
      const next = data(
        await api.POST('/api/auth/me/picture', { body: { file: '' }, bodySerializer: () => body }),
      )
      saved(next, t('profile.picture.saved'))
    } catch (err) {
      setError(message(err))
    } finally {
      setBusy(false)
    }
  }
  const remove = async () => {
    setError(null)
    try {
      saved(data(await api.DELETE('/api/auth/me/picture')), t('profile.picture.removed'))
    } catch (err) {
      setError(message(err))
    }
  }

  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="profile-picture">
      <Stack>
        <Title order={2} size="h3" id="profile-picture">
          {t('profile.picture.title')}
        </Title>
        <Group wrap="nowrap" align="center">
          <PersonAvatar name={me.user.name} image={me.user.image} alt={t('profile.picture.alt')} size={96} />
          <Stack gap="xs">
            <Text size="sm" c="dimmed">
              {t('profile.picture.hint')}
            </Text>
            <Group gap="xs">
              <FileButton onChange={(file) => void upload(file)} accept="image/png,image/jpeg,image/webp">
                {(props) => (
                  <Button {...props} variant="light" loading={busy} leftSection={<IconPhotoUp size={16} />}>
                    {me.user.image ? t('profile.picture.change') : t('profile.picture.choose')}
                  </Button>
                )}
              </FileButton>
              {me.user.image && (
                <Button
                  variant="subtle"
                  color="red"
                  leftSection={<IconTrash size={16} />}
                  onClick={() => void remove()}
                >
                  {t('profile.picture.remove')}
                </Button>
              )}
            </Group>
          </Stack>
        </Group>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
      </Stack>
    </Paper>
  )
}

function DetailsSection({ me }: { me: Me }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const message = useProfileError()
  const school = me.organisation?.default_locale
  const form = useForm({
    initialValues: { name: me.user.name, locale: me.user.locale ?? 'school' },
    validate: { name: (v) => (v.trim() ? null : t('profile.details.name_required')) },
  })
  const submit = form.onSubmit(async (values) => {
    const locale = values.locale === 'fr' || values.locale === 'en' ? values.locale : null
    try {
      const next = data(await api.PATCH('/api/auth/me', { body: { name: values.name.trim(), locale } }))
      const language = next.user.locale ?? next.organisation?.default_locale
      if (language) chooseLanguage(language)
      client.setQueryData(meKey, next)
      form.resetDirty({ name: next.user.name, locale: next.user.locale ?? 'school' })
      notify(t('profile.details.saved'))
    } catch (err) {
      notify(message(err), 'red')
    }
  })
  const options = [
    ...(school
      ? [
          {
            value: 'school',
            label: t('profile.details.language_school', { language: t(`languages.${school}`) }),
          },
        ]
      : []),
    ...languages.map((language) => ({ value: language, label: t(`languages.${language}`) })),
  ]
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="profile-details">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h3" id="profile-details">
            {t('profile.details.title')}
          </Title>
          <TextInput
            label={t('profile.details.name')}
            autoComplete="name"
            required
            {...form.getInputProps('name')}
          />
          <Select
            label={t('profile.details.language')}
            data={options}
            allowDeselect={false}
            {...form.getInputProps('locale')}
          />
          <Group>
            <Button type="submit" loading={form.submitting}>
              {t('common.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  )
}

function PasswordSection() {
  const { t, i18n } = useTranslation()
  const message = useProfileError()
  const [error, setError] = useState<string | null>(null)
  const [advice, setAdvice] = useState<string[]>([])
  const form = useForm({
    initialValues: { current: '', password: '', confirm: '', signOutOthers: true },
    validate: {
      current: (v) => (v ? null : t('profile.password.current_required')),
      password: (v) => (v.length >= 8 ? null : t('profile.password.too_short')),
      confirm: (v, values) => (v === values.password ? null : t('profile.password.mismatch')),
    },
  })
  const submit = form.onSubmit(async (values) => {
    setError(null)
    setAdvice([])
    try {
      await api.POST('/api/auth/password', {
        body: {
          current_password: values.current,
          new_password: values.password,
          sign_out_other_sessions: values.signOutOthers,
        },
      })
      form.reset()
      notify(t('profile.password.changed'))
    } catch (err) {
      setError(
        err instanceof ApiError && err.code === 'no_password'
          ? t('profile.password.no_password')
          : message(err),
      )
      setAdvice(weakPasswordAdvice(err, i18n.language))
    }
  })
  return (
    <Paper withBorder p="lg" component="section" aria-labelledby="profile-password">
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h3" id="profile-password">
            {t('profile.password.title')}
          </Title>
          <PasswordInput
            label={t('profile.password.current')}
            autoComplete="current-password"
            visibilityToggleButtonProps={{ 'aria-label': t('sign_in.show_password') }}
            required
            {...form.getInputProps('current')}
          />
          <PasswordInput
            label={t('profile.password.new')}
            description={t('profile.password.new_hint')}
            autoComplete="new-password"
            visibilityToggleButtonProps={{ 'aria-label': t('sign_in.show_password') }}
            required
            {...form.getInputProps('password')}
          />
          <PasswordInput
            label={t('profile.password.confirm')}
            autoComplete="new-password"
            visibilityToggleButtonProps={{ 'aria-label': t('sign_in.show_password') }}
            required
            {...form.getInputProps('confirm')}
          />
          <Checkbox
            label={t('profile.password.sign_out_others')}
            {...form.getInputProps('signOutOthers', { type: 'checkbox' })}
          />
          {error && (
            <Alert color="red" role="alert">
              {error}
              {advice.length > 0 && (
                <List size="sm" mt="xs" aria-label={t('profile.password.advice')}>
                  {advice.map((line) => (
                    <List.Item key={line}>{line}</List.Item>
                  ))}
                </List>
              )}
            </Alert>
          )}
          <Group>
            <Button type="submit" loading={form.submitting}>
              {t('profile.password.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  )
}
