import { Button, Group, Stack, Text, Title } from '@mantine/core'
import { useForm } from '@mantine/form'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../../api/client.ts'
import { MultiPicker } from '../multi-picker.tsx'
import { notify } from '../notify.ts'
import { QueryState } from '../query-state.tsx'
import { useBuilderError } from './errors.ts'
import { courseKey, courseListKey, studentsKey, teamsKey } from './keys.ts'

type Course = Schemas['Course']
type Team = Schemas['Team']
type Person = Schemas['LmsPerson']

const personLabel = (person: Person) => person.name ?? person.emails[0]?.email ?? person.id

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((id) => b.includes(id))

function EnrolmentForm({ course, teams, students }: { course: Course; teams: Team[]; students: Person[] }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const message = useBuilderError()
  const direct = course.direct_student_ids
  const form = useForm({ initialValues: { team_ids: course.team_ids, student_ids: direct } })
  const submit = form.onSubmit(async (values) => {
    try {
      const updated = data(
        await api.PATCH('/api/lms/courses/{id}', {
          params: { path: { id: course.id } },
          body: {
            team_ids: values.team_ids,
            ...(sameSet(values.student_ids, direct) ? {} : { student_ids: values.student_ids }),
          },
        }),
      )
      client.setQueryData(courseKey(course.id), updated)
      await client.invalidateQueries({ queryKey: courseListKey })
      notify(t('builder.enrolment.saved', { count: updated.student_ids.length }))
    } catch (err) {
      notify(message(err), 'red')
    }
  })
  const archived = course.status === 'archived'
  return (
    <form onSubmit={submit}>
      <Stack gap="sm">
        <MultiPicker
          label={t('builder.enrolment.teams')}
          description={t('builder.enrolment.teams_hint')}
          data={teams.map((team) => ({ value: team.id, label: team.name }))}
          searchable
          clearable
          nothingFoundMessage={t('builder.enrolment.nothing_found')}
          disabled={archived}
          {...form.getInputProps('team_ids')}
        />
        <MultiPicker
          label={t('builder.enrolment.students')}
          description={t('builder.enrolment.students_hint')}
          data={students.map((person) => ({ value: person.id, label: personLabel(person) }))}
          searchable
          clearable
          limit={50}
          nothingFoundMessage={t('builder.enrolment.nothing_found')}
          disabled={archived}
          {...form.getInputProps('student_ids')}
        />
        <Group justify="space-between">
          <Text size="sm" c="dimmed" data-testid="enrolled-count">
            {t('builder.enrolment.count', { count: course.student_ids.length })}
          </Text>
          {!archived && (
            <Button type="submit" loading={form.submitting}>
              {t('builder.enrolment.save')}
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  )
}

/** Who takes the course: whole teams (their future members too) and students one by one. */
export function EnrolmentSection({ course }: { course: Course }) {
  const { t } = useTranslation()
  const teams = useQuery({
    queryKey: teamsKey,
    queryFn: async () => data(await api.GET('/api/teams', { params: { query: { limit: 500 } } })),
  })
  const students = useQuery({
    queryKey: studentsKey,
    queryFn: async () => data(await api.GET('/api/lms/students', { params: { query: { limit: 500 } } })),
  })
  return (
    <Stack gap="sm">
      <Title order={2} size="h3">
        {t('builder.enrolment.title')}
      </Title>
      <QueryState query={teams}>
        {(teamList) => (
          <QueryState query={students}>
            {(studentList) => (
              <EnrolmentForm
                // A fresh form once the saved enrolments come back.
                key={`${course.team_ids.join()}|${course.student_ids.join()}`}
                course={course}
                teams={teamList}
                students={studentList}
              />
            )}
          </QueryState>
        )}
      </QueryState>
    </Stack>
  )
}
