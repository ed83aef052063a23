import { Typography } from '@mantine/core'
import ReactMarkdown from 'react-markdown'

/** Course text written in Markdown; raw HTML in it is not rendered (authors cannot inject scripts). */
export function Markdown({ children }: { children: string }) {
  return (
    <Typography>
      <ReactMarkdown>{children}</ReactMarkdown>
    </Typography>
  )
}
