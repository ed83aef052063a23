import { Alert, Button, Group, List } from '@mantine/core'
import { IconArchive, IconRocket } from '@tabler/icons-react'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, api, data, type Schemas } from '../../api/client.ts'
import { notify } from '../notify.ts'
import { ConfirmModal } from './confirm.tsx'
import { useBuilderError } from './errors.ts'
import { courseKey, courseListKey, stepsKey } from './keys.ts'
import type { Step } from './step-draft.ts'

type Course = Schemas['Course']

/** What keeps a course from being published, as POST /api/courses/{id}/publish lists it (409). */
export type Problem = { class_id: string | null; code: string; message: string }

function problemsOf(err: unknown): Problem[] | null {
  if (!(err instanceof ApiError)) return null
  const problems = err.details.problems
  return Array.isArray(problems) && problems.length > 0 ? (problems as Problem[]) : null
}

/** Why the course cannot be published yet, step by step. */
export function ProblemsAlert({ courseId, problems }: { courseId: string; problems: Problem[] }) {
  const { t, i18n } = useTranslation()
  const client = useQueryClient()
  const steps = client.getQueryData<Step[]>(stepsKey(courseId)) ?? []
  const describe = (problem: Problem) => {
    const key = `builder.problems.${problem.code}`
    // A code this version does not know yet is shown as the server words it.
    if (!i18n.exists(key)) return problem.message
    const step = steps.find((s) => s.id === problem.class_id)
    const reason = t(key)
    return step ? t('builder.problems.of_step', { name: step.name, reason }) : reason
  }
  return (
    <Alert color="orange" title={t('builder.problems.title')} role="alert" data-testid="publish-problems">
      <List size="sm" spacing={4}>
        {problems.map((problem) => (
          <List.Item key={`${problem.class_id}-${problem.message}`}>{describe(problem)}</List.Item>
        ))}
      </List>
    </Alert>
  )
}

/** Publish a draft (or learn what is missing), archive a course. */
export function PublishActions({
  course,
  onProblems,
}: {
  course: Course
  onProblems: (problems: Problem[]) => void
}) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const message = useBuilderError()
  const [confirmArchive, setConfirmArchive] = useState(false)
  const settle = async (updated: Course) => {
    client.setQueryData(courseKey(course.id), updated)
    await client.invalidateQueries({ queryKey: courseListKey })
  }
  const publish = useMutation({
    mutationFn: async () =>
      data(await api.POST('/api/courses/{id}/publish', { params: { path: { id: course.id } } })),
    onSuccess: async (updated) => {
      onProblems([])
      notify(t('builder.publish.done'))
      await settle(updated)
    },
    onError: (err) => {
      const problems = problemsOf(err)
      if (problems) onProblems(problems)
      else notify(message(err), 'red')
    },
  })
  const archive = useMutation({
    mutationFn: async () =>
      data(await api.POST('/api/courses/{id}/archive', { params: { path: { id: course.id } } })),
    onSuccess: async (updated) => {
      setConfirmArchive(false)
      notify(t('builder.publish.archived'))
      await settle(updated)
    },
  })
  if (course.status === 'archived') return null
  return (
    <Group gap="xs">
      {course.status === 'draft' && (
        <Button
          leftSection={<IconRocket size={16} />}
          loading={publish.isPending}
          onClick={() => publish.mutate()}
        >
          {t('builder.publish.publish')}
        </Button>
      )}
      <Button
        variant="default"
        leftSection={<IconArchive size={16} />}
        onClick={() => {
          archive.reset()
          setConfirmArchive(true)
        }}
      >
        {t('builder.publish.archive')}
      </Button>
      <ConfirmModal
        opened={confirmArchive}
        title={t('builder.publish.archive_title')}
        confirmLabel={t('builder.publish.archive')}
        loading={archive.isPending}
        error={archive.error && message(archive.error)}
        onConfirm={() => archive.mutate()}
        onClose={() => setConfirmArchive(false)}
      >
        {t('builder.publish.archive_text')}
      </ConfirmModal>
    </Group>
  )
}
