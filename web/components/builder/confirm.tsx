import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

/**
 * Asks before an action that cannot be undone (deleting a step or a resource, archiving a course). A refusal
 * is shown inside the dialog, where the person is looking, rather than in a toast behind it.
 */
export function ConfirmModal({
  opened,
  title,
  children,
  confirmLabel,
  loading,
  error,
  onConfirm,
  onClose,
}: {
  opened: boolean
  title: string
  children: ReactNode
  confirmLabel: string
  loading: boolean
  error?: string | null
  onConfirm: () => void
  onClose: () => void
}) {
  const { t } = useTranslation()
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={title}
      closeButtonProps={{ 'aria-label': t('common.close') }}
    >
      <Stack>
        <Text>{children}</Text>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>
            {error ? t('common.close') : t('common.cancel')}
          </Button>
          {!error && (
            <Button color="red" loading={loading} onClick={onConfirm}>
              {confirmLabel}
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  )
}
