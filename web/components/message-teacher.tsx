import { Button } from '@mantine/core'
import { IconMessage } from '@tabler/icons-react'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useNavigate } from 'react-router'
import { api, data } from '../api/client.ts'
import { notify } from './notify.ts'
import { useErrorMessage } from './query-state.tsx'

/**
 * "Message the teacher" in the course player: opens the student's direct conversation with the course's
 * instructor (the first of them by name), starting it about this course when there is none yet. Nothing is
 * asked of the server before the click, so the player loads as fast as without it.
 */
export function MessageTeacherButton({ courseId }: { courseId: string }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const errorMessage = useErrorMessage()
  const [pending, setPending] = useState(false)
  const open = async () => {
    setPending(true)
    try {
      const contacts = data(
        await api.GET('/api/messaging/contacts', { params: { query: { course_id: courseId, limit: 1 } } }),
      )
      const teacher = contacts.data[0]
      if (!teacher) {
        notify(t('messages.no_teacher'))
        return
      }
      const conversation = data(
        await api.POST('/api/conversations', { body: { member_id: teacher.member_id, course_id: courseId } }),
      )
      navigate(`/messages/${conversation.id}`)
    } catch (err) {
      notify(errorMessage(err), 'red')
    } finally {
      setPending(false)
    }
  }
  return (
    <Button
      variant="light"
      size="xs"
      leftSection={<IconMessage size={16} />}
      loading={pending}
      onClick={() => void open()}
    >
      {t('messages.message_teacher')}
    </Button>
  )
}
