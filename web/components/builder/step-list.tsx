import {
  closestCenter,
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  type UniqueIdentifier,
  useSensor,
  useSensors,
} from '@dnd-kit/core'
import {
  arrayMove,
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable'
import { ActionIcon, Badge, Button, Group, Paper, Stack, Text, Title, Tooltip } from '@mantine/core'
import {
  IconArrowDown,
  IconArrowUp,
  IconGripVertical,
  IconLock,
  IconPencil,
  IconPlus,
  IconTrash,
} from '@tabler/icons-react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type CSSProperties, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { ApiError, api, data, type Schemas } from '../../api/client.ts'
import { notify } from '../notify.ts'
import { QueryState } from '../query-state.tsx'
import { ConfirmModal } from './confirm.tsx'
import { useBuilderError } from './errors.ts'
import { courseKey, stepsKey } from './keys.ts'
import type { Step } from './step-draft.ts'
import { StepModal } from './step-form.tsx'

type Course = Schemas['Course']

const listStyle: CSSProperties = { listStyle: 'none', margin: 0, padding: 0 }

function StepItem({
  course,
  step,
  index,
  total,
  reorderable,
  editable,
  incomplete,
  onMove,
  onEdit,
  onDelete,
}: {
  course: Course
  step: Step
  index: number
  total: number
  reorderable: boolean
  editable: boolean
  incomplete: boolean
  onMove: (from: number, to: number) => void
  onEdit: () => void
  onDelete: () => void
}) {
  const { t } = useTranslation()
  const sortable = useSortable({ id: step.id, disabled: !reorderable })
  const { transform } = sortable
  const style: CSSProperties = {
    position: 'relative',
    transform: transform ? `translate3d(${transform.x}px, ${transform.y}px, 0)` : undefined,
    transition: sortable.transition,
    zIndex: sortable.isDragging ? 1 : undefined,
    boxShadow: sortable.isDragging ? 'var(--mantine-shadow-md)' : undefined,
  }
  const name = step.name
  // Removing a step students reached would move them along the path: the server refuses it, so say so here.
  const locked = step.students_reached && course.status === 'published'
  const reasonId = `step-${step.id}-reached`
  return (
    <Paper
      component="li"
      ref={sortable.setNodeRef}
      style={style}
      withBorder
      p="sm"
      data-testid="builder-step"
    >
      <Group gap="sm" wrap="wrap" justify="flex-end">
        <Group gap="sm" wrap="nowrap" style={{ flex: '1 1 12rem', minWidth: 0 }}>
          {reorderable && (
            <ActionIcon
              ref={sortable.setActivatorNodeRef}
              variant="subtle"
              color="gray"
              size="lg"
              aria-label={t('builder.steps.drag', { name })}
              style={{ cursor: 'grab', touchAction: 'none' }}
              {...sortable.attributes}
              {...sortable.listeners}
            >
              <IconGripVertical size={18} />
            </ActionIcon>
          )}
          <Badge variant="default" size="lg" circle aria-hidden>
            {index + 1}
          </Badge>
          <Stack gap={4} style={{ minWidth: 0 }}>
            <Text fw={600} style={{ overflowWrap: 'anywhere' }} data-testid="step-name">
              {name}
            </Text>
            <Group gap={6}>
              <Badge variant="light" color="gray">
                {t(`step_types.${step.step_type}`)}
              </Badge>
              {incomplete && (
                <Badge variant="light" color="orange">
                  {t('builder.steps.incomplete')}
                </Badge>
              )}
              {step.skills.map((skill) => (
                <Badge key={skill} variant="outline" color="gray" tt="none">
                  {skill}
                </Badge>
              ))}
            </Group>
            {locked && (
              <Group gap={4} wrap="nowrap" align="flex-start" data-testid="step-reached">
                <IconLock size={14} aria-hidden style={{ flexShrink: 0, marginTop: 3 }} />
                <Text size="xs" c="dimmed" id={reasonId}>
                  {t('builder.steps.reached')}
                </Text>
              </Group>
            )}
          </Stack>
        </Group>
        <Group gap={4} wrap="nowrap">
          {reorderable && (
            <>
              <ActionIcon
                variant="subtle"
                size="lg"
                aria-label={t('builder.steps.move_up', { name })}
                disabled={index === 0}
                onClick={() => onMove(index, index - 1)}
              >
                <IconArrowUp size={18} />
              </ActionIcon>
              <ActionIcon
                variant="subtle"
                size="lg"
                aria-label={t('builder.steps.move_down', { name })}
                disabled={index === total - 1}
                onClick={() => onMove(index, index + 1)}
              >
                <IconArrowDown size={18} />
              </ActionIcon>
            </>
          )}
          {editable && (
            <>
              <ActionIcon
                variant="subtle"
                size="lg"
                aria-label={t('builder.steps.edit', { name })}
                onClick={onEdit}
              >
                <IconPencil size={18} />
              </ActionIcon>
              {/* Kept focusable (aria-disabled, not disabled) so that keyboard and touch users reach the reason. */}
              <Tooltip
                label={t('builder.steps.reached_hint')}
                multiline
                w={260}
                disabled={!locked}
                events={{ hover: true, focus: true, touch: true }}
              >
                <ActionIcon
                  variant="subtle"
                  color="red"
                  size="lg"
                  aria-label={t('builder.steps.delete', { name })}
                  aria-describedby={locked ? reasonId : undefined}
                  aria-disabled={locked || undefined}
                  data-disabled={locked || undefined}
                  onClick={locked ? undefined : onDelete}
                >
                  <IconTrash size={18} />
                </ActionIcon>
              </Tooltip>
            </>
          )}
        </Group>
      </Group>
    </Paper>
  )
}

function SortableSteps({
  course,
  steps,
  problems,
  onEdit,
  onDelete,
}: {
  course: Course
  steps: Step[]
  problems: ReadonlySet<string>
  onEdit: (step: Step) => void
  onDelete: (step: Step) => void
}) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const message = useBuilderError()
  const editable = course.status !== 'archived'
  // Students' progress follows the order, so it only changes freely before the course is published.
  const reorderable = course.status === 'draft'
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  )
  const reorder = useMutation({
    // One order at a time, in the order given: quick successive moves must reach the server in sequence.
    scope: { id: `reorder-${course.id}` },
    mutationFn: async (classIds: string[]) =>
      data(
        await api.PUT('/api/courses/{id}/steps/order', {
          params: { path: { id: course.id } },
          body: { class_ids: classIds },
        }),
      ),
    onError: (err) => {
      notify(message(err), 'red')
      void client.invalidateQueries({ queryKey: stepsKey(course.id) })
    },
  })
  const move = (from: number, to: number) => {
    if (to < 0 || to >= steps.length || from === to) return
    const next = arrayMove(steps, from, to).map((step, index) => ({ ...step, order_index: index }))
    client.setQueryData(stepsKey(course.id), next)
    reorder.mutate(next.map((s) => s.id))
  }
  const indexOf = (id: UniqueIdentifier) => steps.findIndex((s) => s.id === id)
  const nameOf = (id: UniqueIdentifier) => steps[indexOf(id)]?.name ?? ''
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (over) move(indexOf(active.id), indexOf(over.id))
  }
  const total = steps.length
  const lastOver = useRef<UniqueIdentifier | null>(null)
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={onDragEnd}
      accessibility={{
        screenReaderInstructions: { draggable: t('builder.dnd.instructions') },
        announcements: {
          onDragStart: ({ active }) => {
            lastOver.current = active.id
            return t('builder.dnd.picked', {
              name: nameOf(active.id),
              position: indexOf(active.id) + 1,
              total,
            })
          },
          // The step is over itself as soon as it is picked up: saying so would cut the announcement above.
          onDragOver: ({ active, over }) => {
            if (!over || over.id === lastOver.current) return undefined
            lastOver.current = over.id
            return t('builder.dnd.over', { name: nameOf(active.id), position: indexOf(over.id) + 1, total })
          },
          onDragEnd: ({ active, over }) =>
            over
              ? t('builder.dnd.dropped', { name: nameOf(active.id), position: indexOf(over.id) + 1, total })
              : t('builder.dnd.cancelled', { name: nameOf(active.id) }),
          onDragCancel: ({ active }) => t('builder.dnd.cancelled', { name: nameOf(active.id) }),
        },
      }}
    >
      <SortableContext items={steps.map((s) => s.id)} strategy={verticalListSortingStrategy}>
        <Stack component="ol" gap="xs" style={listStyle} aria-label={t('builder.steps.title')}>
          {steps.map((step, index) => (
            <StepItem
              key={step.id}
              course={course}
              step={step}
              index={index}
              total={total}
              reorderable={reorderable}
              editable={editable}
              incomplete={problems.has(step.id)}
              onMove={move}
              onEdit={() => onEdit(step)}
              onDelete={() => onDelete(step)}
            />
          ))}
        </Stack>
      </SortableContext>
    </DndContext>
  )
}

/** A course's steps in path order, as staff see them (answer keys, and whether students reached them). */
export function useCourseSteps(courseId: string) {
  return useQuery({
    queryKey: stepsKey(courseId),
    queryFn: async () => {
      const steps = data(
        await api.GET('/api/lms/classes', { params: { query: { course_id: courseId, limit: 500 } } }),
      )
      return [...steps].sort((a, b) => a.order_index - b.order_index)
    },
  })
}

/** The steps of a course in path order: add, edit, delete, and (in a draft) reorder them. */
export function StepsSection({ course, problems }: { course: Course; problems: ReadonlySet<string> }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const message = useBuilderError()
  const [editing, setEditing] = useState<Step | null>(null)
  const [modalOpen, setModalOpen] = useState(false)
  const [deleting, setDeleting] = useState<Step | null>(null)
  const [deleteError, setDeleteError] = useState<string | null>(null)
  const query = useCourseSteps(course.id)
  const remove = useMutation({
    mutationFn: async (step: Step) =>
      api.DELETE('/api/lms/classes/{id}', { params: { path: { id: step.id } } }),
    onSuccess: async () => {
      setDeleting(null)
      notify(t('builder.steps.deleted'))
      await client.invalidateQueries({ queryKey: courseKey(course.id) })
    },
    onError: (err) => {
      const started = err instanceof ApiError && err.code === 'students_started'
      setDeleteError(started ? t('builder.steps.delete_refused') : message(err))
      // A step students reached meanwhile shows as such once the dialog closes.
      if (started) void client.invalidateQueries({ queryKey: stepsKey(course.id) })
    },
  })
  const askDelete = (step: Step) => {
    setDeleteError(null)
    setDeleting(step)
  }
  const openStep = (step: Step | null) => {
    setEditing(step)
    setModalOpen(true)
  }
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={2} size="h3">
          {t('builder.steps.title')}
        </Title>
        {course.status !== 'archived' && (
          <Button leftSection={<IconPlus size={16} />} onClick={() => openStep(null)}>
            {t('builder.steps.add')}
          </Button>
        )}
      </Group>
      {course.status === 'draft' && (
        <Text size="sm" c="dimmed">
          {t('builder.steps.reorder_hint')}
        </Text>
      )}
      {course.status === 'published' && (
        <Text size="sm" c="dimmed">
          {t('builder.steps.published_hint')}
        </Text>
      )}
      <QueryState query={query}>
        {(steps) =>
          steps.length === 0 ? (
            <Text c="dimmed">{t('builder.steps.empty')}</Text>
          ) : (
            <SortableSteps
              course={course}
              steps={steps}
              problems={problems}
              onEdit={openStep}
              onDelete={askDelete}
            />
          )
        }
      </QueryState>
      <StepModal courseId={course.id} step={editing} opened={modalOpen} onClose={() => setModalOpen(false)} />
      <ConfirmModal
        opened={deleting !== null}
        title={t('builder.steps.delete_title')}
        confirmLabel={t('common.delete')}
        loading={remove.isPending}
        error={deleteError}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => setDeleting(null)}
      >
        {deleting && t(`builder.steps.delete_text.${deleting.step_type}`, { name: deleting.name })}
      </ConfirmModal>
    </Stack>
  )
}
