import {
  ActionIcon,
  Button,
  Checkbox,
  Code,
  Fieldset,
  Group,
  NativeSelect,
  NumberInput,
  PasswordInput,
  Radio,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core'
import type { UseFormReturnType } from '@mantine/form'
import { IconPlus, IconTrash } from '@tabler/icons-react'
import { useTranslation } from 'react-i18next'
import {
  newChoice,
  newQuestion,
  type QuestionDraft,
  type QuestionType,
  questionDisplays,
  questionTypes,
  revealModes,
  type StepDraft,
} from './step-draft.ts'

export type StepForm = UseFormReturnType<StepDraft>

function ChoicesEditor({ form, path, question }: { form: StepForm; path: string; question: QuestionDraft }) {
  const { t } = useTranslation()
  const multiple = question.type === 'multiple_choice'
  const removeChoice = (index: number) => {
    const removed = question.choices[index]?.id
    form.removeListItem(`${path}.choices`, index)
    if (question.single === removed) form.setFieldValue(`${path}.single`, null)
    form.setFieldValue(
      `${path}.multiple`,
      question.multiple.filter((id) => id !== removed),
    )
  }
  const rows = question.choices.map((choice, index) => {
    const n = index + 1
    const mark = t('builder.quiz.mark_right', { n })
    return (
      <Group key={choice.id} gap="xs" wrap="nowrap" align="flex-end">
        {multiple ? (
          <Checkbox value={choice.id} aria-label={mark} mb={8} />
        ) : (
          <Radio value={choice.id} aria-label={mark} mb={8} />
        )}
        <TextInput
          label={t('builder.quiz.choice_n', { n })}
          style={{ flex: 1, minWidth: 0 }}
          {...form.getInputProps(`${path}.choices.${index}.text`)}
        />
        <ActionIcon
          variant="subtle"
          color="red"
          size="lg"
          mb={2}
          aria-label={t('builder.quiz.remove_choice', { n })}
          disabled={question.choices.length <= 2}
          onClick={() => removeChoice(index)}
        >
          <IconTrash size={16} />
        </ActionIcon>
      </Group>
    )
  })
  const addChoice = (
    <Button
      variant="subtle"
      size="compact-sm"
      leftSection={<IconPlus size={14} />}
      disabled={question.choices.length >= 20}
      onClick={() => form.insertListItem(`${path}.choices`, newChoice(question.choices))}
      style={{ alignSelf: 'flex-start' }}
    >
      {t('builder.quiz.add_choice')}
    </Button>
  )
  return multiple ? (
    <Checkbox.Group
      label={t('builder.quiz.right_multiple')}
      value={question.multiple}
      onChange={(value) => form.setFieldValue(`${path}.multiple`, value)}
      error={form.errors[`${path}.multiple`]}
    >
      <Stack gap="xs" mt="xs">
        {rows}
        {addChoice}
      </Stack>
    </Checkbox.Group>
  ) : (
    <Radio.Group
      label={t('builder.quiz.right_single')}
      value={question.single}
      onChange={(value) => form.setFieldValue(`${path}.single`, value)}
      error={form.errors[`${path}.single`]}
    >
      <Stack gap="xs" mt="xs">
        {rows}
        {addChoice}
      </Stack>
    </Radio.Group>
  )
}

function AnswerEditor({ form, path, question }: { form: StepForm; path: string; question: QuestionDraft }) {
  const { t } = useTranslation()
  switch (question.type) {
    case 'single_choice':
    case 'multiple_choice':
      return <ChoicesEditor form={form} path={path} question={question} />
    case 'true_false':
      return (
        <Radio.Group label={t('builder.quiz.right_answer')} {...form.getInputProps(`${path}.truth`)}>
          <Group mt="xs">
            <Radio value="true" label={t('quiz.true')} />
            <Radio value="false" label={t('quiz.false')} />
          </Group>
        </Radio.Group>
      )
    case 'short_text':
      return (
        <TagsInput
          label={t('builder.quiz.accepted')}
          description={t('builder.quiz.accepted_hint')}
          {...form.getInputProps(`${path}.accepted`)}
        />
      )
    case 'number':
      return (
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <NumberInput
            label={t('builder.quiz.number_answer')}
            decimalSeparator={t('quiz.decimal_separator')}
            {...form.getInputProps(`${path}.number`)}
          />
          <NumberInput
            label={t('builder.quiz.tolerance')}
            description={t('builder.quiz.tolerance_hint')}
            min={0}
            decimalSeparator={t('quiz.decimal_separator')}
            {...form.getInputProps(`${path}.tolerance`)}
          />
        </SimpleGrid>
      )
  }
}

function QuestionEditor({ form, index }: { form: StepForm; index: number }) {
  const { t } = useTranslation()
  const path = `quiz.questions.${index}`
  const question = form.values.quiz.questions[index]
  if (!question) return null
  const n = index + 1
  return (
    <Fieldset legend={t('builder.quiz.question_n', { n })} p="sm">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <NativeSelect
            label={t('builder.quiz.question_type')}
            data={questionTypes.map((type) => ({ value: type, label: t(`builder.question_types.${type}`) }))}
            value={question.type}
            onChange={(event) =>
              form.setFieldValue(`${path}.type`, event.currentTarget.value as QuestionType)
            }
          />
          <NumberInput
            label={t('builder.quiz.points')}
            min={0}
            decimalSeparator={t('quiz.decimal_separator')}
            {...form.getInputProps(`${path}.points`)}
          />
        </SimpleGrid>
        <Textarea
          label={t('builder.quiz.prompt')}
          autosize
          minRows={2}
          {...form.getInputProps(`${path}.prompt`)}
        />
        <AnswerEditor form={form} path={path} question={question} />
        <TagsInput
          label={t('builder.skills')}
          description={t('builder.skills_hint')}
          {...form.getInputProps(`${path}.skills`)}
        />
        <Textarea
          label={t('builder.quiz.hint')}
          description={t('builder.quiz.hint_hint')}
          autosize
          minRows={1}
          {...form.getInputProps(`${path}.hint`)}
        />
        <Textarea
          label={t('builder.quiz.explanation')}
          description={t('builder.quiz.explanation_hint')}
          autosize
          minRows={1}
          {...form.getInputProps(`${path}.explanation`)}
        />
        <Button
          variant="subtle"
          color="red"
          size="compact-sm"
          leftSection={<IconTrash size={14} />}
          onClick={() => form.removeListItem('quiz.questions', index)}
          style={{ alignSelf: 'flex-end' }}
        >
          {t('builder.quiz.remove_question', { n })}
        </Button>
      </Stack>
    </Fieldset>
  )
}

function TallyFields({ form }: { form: StepForm }) {
  const { t } = useTranslation()
  const tally = form.values.quiz.tally
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {t('builder.tally.intro')} <Code>{`${window.location.origin}/api/tally-hook`}</Code>
      </Text>
      <TextInput label={t('builder.tally.form_id')} {...form.getInputProps('quiz.tally.form_id')} />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput
          label={t('builder.tally.student_field')}
          {...form.getInputProps('quiz.tally.student_field')}
        />
        <TextInput label={t('builder.tally.class_field')} {...form.getInputProps('quiz.tally.class_field')} />
        <TextInput label={t('builder.tally.score_field')} {...form.getInputProps('quiz.tally.score_field')} />
      </SimpleGrid>
      <NumberInput
        label={t('builder.tally.max_score')}
        min={0}
        decimalSeparator={t('quiz.decimal_separator')}
        {...form.getInputProps('quiz.tally.max_score')}
      />
      <PasswordInput
        label={t('builder.tally.signing_secret')}
        description={t(tally.secret_set ? 'builder.tally.secret_kept' : 'builder.tally.secret_hint')}
        autoComplete="off"
        visibilityToggleButtonProps={{ 'aria-label': t('builder.tally.show_secret') }}
        {...form.getInputProps('quiz.tally.signing_secret')}
      />
    </Stack>
  )
}

/** A step's quiz: Sillon's own questions (every type, with their answer keys) or a Tally form's mapping. */
export function QuizEditor({ form }: { form: StepForm }) {
  const { t } = useTranslation()
  const quiz = form.values.quiz
  return (
    <Stack gap="md">
      <Radio.Group label={t('builder.quiz.kind')} {...form.getInputProps('quiz.kind')}>
        <Group mt="xs">
          <Radio value="native" label={t('builder.quiz.native')} />
          <Radio value="tally" label={t('builder.quiz.tally')} />
        </Group>
      </Radio.Group>
      <NumberInput
        label={t('builder.quiz.pass_percent')}
        description={t('builder.quiz.pass_percent_hint')}
        min={0}
        max={100}
        suffix=" %"
        {...form.getInputProps('quiz.pass_percent')}
      />
      {quiz.kind === 'native' ? (
        <Stack gap="md">
          <Radio.Group
            label={t('builder.quiz.reveal_answers')}
            description={t('builder.quiz.reveal_answers_hint')}
            {...form.getInputProps('quiz.reveal_answers')}
          >
            <Stack gap="xs" mt="xs">
              {revealModes.map((mode) => (
                <Radio key={mode} value={mode} label={t(`builder.quiz.reveal.${mode}`)} />
              ))}
            </Stack>
          </Radio.Group>
          <Radio.Group
            label={t('builder.quiz.question_display')}
            description={t('builder.quiz.question_display_hint')}
            {...form.getInputProps('quiz.question_display')}
          >
            <Stack gap="xs" mt="xs">
              {questionDisplays.map((mode) => (
                <Radio key={mode} value={mode} label={t(`builder.quiz.display.${mode}`)} />
              ))}
            </Stack>
          </Radio.Group>
          {quiz.questions.length === 0 && (
            <Text size="sm" c="dimmed">
              {t('builder.quiz.no_questions')}
            </Text>
          )}
          {quiz.questions.map((question, index) => (
            <QuestionEditor key={question.id} form={form} index={index} />
          ))}
          <Button
            variant="light"
            leftSection={<IconPlus size={16} />}
            disabled={quiz.questions.length >= 200}
            onClick={() => form.insertListItem('quiz.questions', newQuestion(quiz.questions))}
            style={{ alignSelf: 'flex-start' }}
          >
            {t('builder.quiz.add_question')}
          </Button>
        </Stack>
      ) : (
        <TallyFields form={form} />
      )}
    </Stack>
  )
}
