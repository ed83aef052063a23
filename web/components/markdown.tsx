import { Loader, Typography } from '@mantine/core'
import { lazy, Suspense } from 'react'
import { useTranslation } from 'react-i18next'

// The Markdown parser weighs more than the rest of the course player: it comes with the first text to show,
// so a video step opens without it.
const ReactMarkdown = lazy(() => import('react-markdown'))

/** Course text written in Markdown; raw HTML in it is not rendered (authors cannot inject scripts). */
export function Markdown({ children }: { children: string }) {
  const { t } = useTranslation()
  return (
    <Typography>
      <Suspense fallback={<Loader size="sm" role="status" aria-label={t('common.loading')} />}>
        <ReactMarkdown>{children}</ReactMarkdown>
      </Suspense>
    </Typography>
  )
}
