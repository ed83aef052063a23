import { notifications } from '@mantine/notifications'
import i18n from '../i18n/index.ts'

/** A short message at the top of the page; its close button is named in the interface language. */
export function notify(message: string, color: 'sillon' | 'red' = 'sillon') {
  notifications.show({ message, color, closeButtonProps: { 'aria-label': i18n.t('common.close') } })
}
