import { Badge, Group } from '@mantine/core'
import { useTranslation } from 'react-i18next'
import type { Schemas } from '../api/client.ts'
import { useFormat } from '../hooks/format.ts'

type Reason = Schemas['RiskReason']

/** Why a student is at risk, in words a teacher reads at a glance. */
export function RiskReasons({ reasons }: { reasons: Reason[] }) {
  const { t } = useTranslation()
  const f = useFormat()
  const text = (r: Reason) => {
    switch (r.code) {
      case 'inactive':
        return r.last_event_at
          ? t('risk.inactive', { count: r.days })
          : t('risk.never_started', { count: r.days })
      case 'stuck':
        return t('risk.stuck', { step: r.step_name, count: r.days })
      case 'repeated_failures':
        return t('risk.failures', { count: r.failed_attempts })
      case 'out_of_hearts':
        return r.next_heart_at
          ? t('risk.no_hearts_until', { time: f.dateTime(r.next_heart_at) })
          : t('risk.no_hearts')
    }
  }
  return (
    <Group gap={4}>
      {reasons.map((r) => (
        <Badge
          key={r.code}
          color={r.code === 'out_of_hearts' || r.code === 'repeated_failures' ? 'red' : 'orange'}
          variant="light"
          tt="none"
        >
          {text(r)}
        </Badge>
      ))}
    </Group>
  )
}
