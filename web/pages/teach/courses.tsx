import {
  Badge,
  Button,
  Group,
  Modal,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core'
import { useForm } from '@mantine/form'
import { useDisclosure } from '@mantine/hooks'
import { IconChartBar, IconPencil, IconPlus } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { api, data } from '../../api/client.ts'
import { QueryState, useErrorMessage } from '../../components/query-state.tsx'
import { useFormat } from '../../hooks/format.ts'

export const coursesKey = ['courses'] as const

export const statusColor = { draft: 'gray', published: 'sillon', archived: 'dark' } as const

function NewCourse({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const [error, setError] = useState<string | null>(null)
  const form = useForm({
    initialValues: { name: '' },
    validate: { name: (v) => (v.trim() ? null : t('teach.name_required')) },
  })
  const submit = form.onSubmit(async ({ name }) => {
    setError(null)
    try {
      const course = data(await api.POST('/api/lms/courses', { body: { name: name.trim() } }))
      await client.invalidateQueries({ queryKey: coursesKey })
      onClose()
      navigate(`/teach/courses/${course.id}`)
    } catch (err) {
      setError(errorMessage(err))
    }
  })
  return (
    <Modal opened={opened} onClose={onClose} title={t('teach.new_course')}>
      <form onSubmit={submit}>
        <Stack>
          <TextInput label={t('teach.course_name')} data-autofocus {...form.getInputProps('name')} />
          {error && (
            <Text c="red" size="sm" role="alert">
              {error}
            </Text>
          )}
          <Button type="submit" loading={form.submitting}>
            {t('teach.create')}
          </Button>
        </Stack>
      </form>
    </Modal>
  )
}

/** The courses an instructor builds and follows. */
export function CoursesPage() {
  const { t } = useTranslation()
  const f = useFormat()
  const [opened, { open, close }] = useDisclosure()
  const query = useQuery({
    queryKey: coursesKey,
    queryFn: async () => data(await api.GET('/api/lms/courses', { params: { query: { limit: 200 } } })),
  })
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('teach.courses')}
        </Title>
        <Button leftSection={<IconPlus size={16} />} onClick={open}>
          {t('teach.new_course')}
        </Button>
      </Group>
      <NewCourse opened={opened} onClose={close} />
      <QueryState query={query}>
        {(courses) =>
          courses.length === 0 ? (
            <Text c="dimmed">{t('teach.no_courses')}</Text>
          ) : (
            <Table.ScrollContainer minWidth={480}>
              <Table striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">{t('teach.course')}</Table.Th>
                    <Table.Th scope="col">{t('teach.status')}</Table.Th>
                    <Table.Th scope="col">{t('teach.updated')}</Table.Th>
                    <Table.Th scope="col">
                      <VisuallyHidden>{t('teach.actions')}</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {courses.map((course) => (
                    <Table.Tr key={course.id}>
                      <Table.Td>{course.name}</Table.Td>
                      <Table.Td>
                        <Badge color={statusColor[course.status]} variant="light">
                          {t(`course_status.${course.status}`)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>{f.date(course.updated_at)}</Table.Td>
                      <Table.Td>
                        <Group gap="xs" justify="flex-end" wrap="nowrap">
                          <Button
                            component={Link}
                            to={`/teach/courses/${course.id}`}
                            size="compact-sm"
                            variant="light"
                            leftSection={<IconPencil size={14} />}
                          >
                            {t('teach.edit')}
                          </Button>
                          <Button
                            component={Link}
                            to={`/teach/courses/${course.id}/analytics`}
                            size="compact-sm"
                            variant="subtle"
                            leftSection={<IconChartBar size={14} />}
                          >
                            {t('teach.analytics')}
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryState>
    </Stack>
  )
}
