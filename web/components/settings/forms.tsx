import { Alert, Button, CopyButton, Group, Modal, Stack, Text, TextInput } from '@mantine/core'
import { IconAlertTriangle, IconCheck, IconCopy, IconDeviceFloppy } from '@tabler/icons-react'
import { type ReactNode, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError } from '../../api/client.ts'
import { notify } from '../notify.ts'
import { useErrorMessage } from '../query-state.tsx'

/** The server's validation issues by field path (`xp.quiz_passed`), to show next to the fields; null otherwise. */
export function fieldErrors(err: unknown): Record<string, string> | null {
  if (!(err instanceof ApiError) || err.code !== 'validation_failed') return null
  const issues = err.details.issues
  if (!Array.isArray(issues)) return null
  const errors: Record<string, string> = {}
  for (const issue of issues as { path?: unknown; message?: unknown }[]) {
    const path = typeof issue.path === 'string' ? issue.path : ''
    errors[path] ??= String(issue.message ?? '')
  }
  return errors
}

/** Form rules: a whole number within the bounds the server accepts. */
export function useWholeNumber() {
  const { t } = useTranslation()
  return (min: number, max: number) => (value: unknown) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? null
      : t('settings.range', { min, max })
}

/** A secret the server shows once: a read-only field to copy from, and why it must be copied now. */
export function SecretReveal({
  title,
  warning,
  label,
  value,
  doneLabel,
  onDone,
}: {
  title: string
  warning: string
  label: string
  value: string
  doneLabel: string
  onDone: () => void
}) {
  const { t } = useTranslation()
  return (
    <Stack>
      <Alert color="orange" icon={<IconAlertTriangle />} title={title} role="alert">
        {warning}
      </Alert>
      <TextInput
        label={label}
        value={value}
        readOnly
        data-testid="secret"
        onFocus={(event) => event.currentTarget.select()}
        styles={{ input: { fontFamily: 'monospace' } }}
      />
      <Group>
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Button
              variant="light"
              onClick={copy}
              leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
            >
              {copied ? t('settings.copied') : t('settings.copy')}
            </Button>
          )}
        </CopyButton>
        <Button onClick={onDone}>{doneLabel}</Button>
      </Group>
    </Stack>
  )
}

/** Asks before an action that cannot be undone; a failure is notified and the modal stays open. */
export function ConfirmModal({
  opened,
  onClose,
  title,
  children,
  confirmLabel,
  onConfirm,
}: {
  opened: boolean
  onClose: () => void
  title: string
  children: ReactNode
  confirmLabel: string
  onConfirm: () => Promise<void>
}) {
  const { t } = useTranslation()
  const errorMessage = useErrorMessage()
  const [pending, setPending] = useState(false)
  const confirm = async () => {
    setPending(true)
    try {
      await onConfirm()
      onClose()
    } catch (err) {
      notify(errorMessage(err), 'red')
    } finally {
      setPending(false)
    }
  }
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={title}
      closeButtonProps={{ 'aria-label': t('common.close') }}
    >
      <Stack>
        <Text>{children}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>
            {t('common.cancel')}
          </Button>
          <Button color="red" onClick={() => void confirm()} loading={pending}>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  )
}

/** A form-level error (one not tied to a field), announced to screen readers. */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null
  return (
    <Text c="red.8" size="sm" role="alert">
      {message}
    </Text>
  )
}

/** The end of a settings form: its error, if any, then its save button. */
export function SaveFooter({
  error,
  label,
  saving,
}: {
  error: string | null
  label: string
  saving: boolean
}) {
  return (
    <>
      <FormError message={error} />
      <Group>
        <Button type="submit" loading={saving} leftSection={<IconDeviceFloppy size={16} />}>
          {label}
        </Button>
      </Group>
    </>
  )
}
