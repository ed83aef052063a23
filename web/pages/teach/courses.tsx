import {
  Badge,
  Button,
  Card,
  FileButton,
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
import { IconChartBar, IconDownload, IconPencil, IconPlus, IconUpload } from '@tabler/icons-react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { api, data, type Schemas, withTotal } from '../../api/client.ts'
import { courseListKey } from '../../components/builder/keys.ts'
import { ListFooter, ListSearch, NoResults, useListPage } from '../../components/list-page.tsx'
import { notify } from '../../components/notify.ts'
import { QueryState, useErrorMessage } from '../../components/query-state.tsx'
import { useFormat } from '../../hooks/format.ts'

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
      await client.invalidateQueries({ queryKey: courseListKey })
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

/** Imports a course document (the JSON of an export or of `sillon course export`) as a new draft. */
function ImportButton() {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const [busy, setBusy] = useState(false)
  const importFile = async (file: File | null) => {
    if (!file) return
    setBusy(true)
    try {
      let document: unknown
      try {
        document = JSON.parse(await file.text())
      } catch {
        notify(t('teach.import_not_json'), 'red')
        return
      }
      const course = data(
        await api.POST('/api/lms/courses/import', { body: document as Schemas['CourseDocument'] }),
      )
      await client.invalidateQueries({ queryKey: courseListKey })
      notify(t('teach.imported', { name: course.name }))
      navigate(`/teach/courses/${course.id}`)
    } catch (err) {
      notify(errorMessage(err), 'red')
    } finally {
      setBusy(false)
    }
  }
  return (
    <FileButton onChange={(file) => void importFile(file)} accept="application/json,.json">
      {(props) => (
        <Button {...props} variant="default" loading={busy} leftSection={<IconUpload size={16} />}>
          {t('teach.import')}
        </Button>
      )}
    </FileButton>
  )
}

/** Downloads the course as a document another school (or this one) can import. */
async function exportCourse(courseId: string, name: string) {
  const document = data(await api.GET('/api/lms/courses/{id}/export', { params: { path: { id: courseId } } }))
  const url = URL.createObjectURL(new Blob([JSON.stringify(document, null, 2)], { type: 'application/json' }))
  const link = Object.assign(window.document.createElement('a'), {
    href: url,
    download: `${
      name
        .normalize('NFD')
        .replace(/[^\w-]+/g, '-')
        .toLowerCase() || 'course'
    }.json`,
  })
  link.click()
  URL.revokeObjectURL(url)
}

type Course = Schemas['Course']

/** Edit, follow, export: the same actions in the table's rows and on the phone's cards. */
function CourseActions({ course, wrap }: { course: Course; wrap: boolean }) {
  const { t } = useTranslation()
  const errorMessage = useErrorMessage()
  return (
    <Group gap="xs" justify={wrap ? 'flex-start' : 'flex-end'} wrap={wrap ? 'wrap' : 'nowrap'}>
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
      <Button
        size="compact-sm"
        variant="subtle"
        leftSection={<IconDownload size={14} />}
        onClick={() =>
          void exportCourse(course.id, course.name).catch((err: unknown) => notify(errorMessage(err), 'red'))
        }
      >
        {t('teach.export')}
      </Button>
    </Group>
  )
}

/** On a phone, one card per course: its name in full and its actions in reach, without scrolling sideways. */
function CourseCards({ courses }: { courses: Course[] }) {
  const { t } = useTranslation()
  const f = useFormat()
  return (
    <Stack
      gap="sm"
      component="ul"
      m={0}
      p={0}
      style={{ listStyle: 'none' }}
      hiddenFrom="sm"
      data-testid="course-cards"
    >
      {courses.map((course) => (
        <Card key={course.id} withBorder component="li" padding="sm">
          <Stack gap={6}>
            <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
              {course.name}
            </Text>
            <Group gap="xs">
              <Badge color={statusColor[course.status]} variant="light" style={{ flexShrink: 0 }}>
                {t(`course_status.${course.status}`)}
              </Badge>
              <Text size="sm" c="dimmed">
                {t('teach.updated_on', { date: f.date(course.updated_at) })}
              </Text>
            </Group>
            <CourseActions course={course} wrap />
          </Stack>
        </Card>
      ))}
    </Stack>
  )
}

/** The courses an instructor builds and follows. */
export function CoursesPage() {
  const { t } = useTranslation()
  const f = useFormat()
  const [opened, { open, close }] = useDisclosure()
  const list = useListPage()
  const query = useQuery({
    queryKey: [...courseListKey, list.query, list.page],
    queryFn: async () =>
      withTotal(
        await api.GET('/api/lms/courses', {
          params: { query: { query: list.query || undefined, limit: list.limit, offset: list.offset } },
        }),
      ),
    placeholderData: (previous) => previous,
  })
  return (
    <Stack gap="lg">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('teach.courses')}
        </Title>
        <Group gap="xs">
          <ImportButton />
          <Button leftSection={<IconPlus size={16} />} onClick={open}>
            {t('teach.new_course')}
          </Button>
        </Group>
      </Group>
      <NewCourse opened={opened} onClose={close} />
      <ListSearch list={list} label={t('lists.search_courses')} total={query.data?.total} />
      <QueryState query={query}>
        {({ data: courses, total }) =>
          total === 0 ? (
            list.filtered ? (
              <NoResults list={list} />
            ) : (
              <Text c="dimmed">{t('teach.no_courses')}</Text>
            )
          ) : (
            <Stack gap="sm">
              <CourseCards courses={courses} />
              <Table.ScrollContainer minWidth={480} visibleFrom="sm">
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
                          <CourseActions course={course} wrap={false} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <ListFooter list={list} shown={courses.length} total={total} />
            </Stack>
          )
        }
      </QueryState>
    </Stack>
  )
}
