import { Card, Text } from '@mantine/core'
import type { ReactNode } from 'react'

/** One figure of a dashboard: its label above, the value large; `children` adds what follows the value. */
export function Stat({
  label,
  value,
  testId,
  children,
}: {
  label: string
  value: string
  testId?: string
  children?: ReactNode
}) {
  return (
    <Card withBorder>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="xl" data-testid={testId}>
        {value}
      </Text>
      {children}
    </Card>
  )
}
