import { useTranslation } from 'react-i18next'
import { ApiError } from '../../api/client.ts'
import { useErrorMessage } from '../query-state.tsx'

/** Like useErrorMessage, with the refusals only the course builder meets explained in its own words. */
export function useBuilderError() {
  const { t, i18n } = useTranslation()
  const generic = useErrorMessage()
  return (err: unknown) => {
    const key = err instanceof ApiError ? `builder.errors.${err.code}` : ''
    return key && i18n.exists(key) ? t(key) : generic(err)
  }
}
