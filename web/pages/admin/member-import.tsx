import { Alert, Badge, Button, Checkbox, FileInput, Group, Modal, Stack, Table, Text } from '@mantine/core'
import { IconCheck, IconDownload, IconFileImport, IconUpload } from '@tabler/icons-react'
import { useQueryClient } from '@tanstack/react-query'
import Papa from 'papaparse'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { api, data, type Schemas } from '../../api/client.ts'
import { useErrorMessage } from '../../components/query-state.tsx'

type Imported = Schemas['ImportedMembers']

/** Offers the invitation links as a CSV file, since Sillon sends no e-mail yet. */
function downloadLinks(imported: Imported) {
  const csv = Papa.unparse({
    fields: ['name', 'email', 'role', 'class', 'link', 'expires_at'],
    data: imported.invitations.map((i) => [
      i.name ?? '',
      i.email,
      i.role,
      i.class?.name ?? '',
      i.url,
      i.expires_at,
    ]),
  })
  const url = URL.createObjectURL(new Blob([`\uFEFF${csv}`], { type: 'text/csv;charset=utf-8' }))
  const a = document.createElement('a')
  a.href = url
  a.download = 'invitations.csv'
  a.click()
  URL.revokeObjectURL(url)
}

/**
 * Imports people from a CSV: the server checks every row first (nothing written), the admin fixes the file
 * or lets missing classes be created, then one request invites everyone, all or nothing.
 */
export function ImportModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation()
  const client = useQueryClient()
  const errorMessage = useErrorMessage()
  const [csv, setCsv] = useState<string | null>(null)
  const [file, setFile] = useState<File | null>(null)
  const [createClasses, setCreateClasses] = useState(false)
  const [plan, setPlan] = useState<Schemas['ImportPlan'] | null>(null)
  const [imported, setImported] = useState<Imported | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const close = () => {
    setCsv(null)
    setFile(null)
    setPlan(null)
    setImported(null)
    setError(null)
    setCreateClasses(false)
    onClose()
  }
  const check = async (text: string, create: boolean) => {
    setError(null)
    setBusy(true)
    try {
      setPlan(
        data(await api.POST('/api/members/import/preview', { body: { csv: text, create_classes: create } })),
      )
    } catch (err) {
      setPlan(null)
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  const choose = async (chosen: File | null) => {
    setFile(chosen)
    setPlan(null)
    if (!chosen) return
    const text = await chosen.text()
    setCsv(text)
    await check(text, createClasses)
  }
  const run = async () => {
    if (!csv) return
    setBusy(true)
    setError(null)
    try {
      setImported(
        data(await api.POST('/api/members/import', { body: { csv, create_classes: createClasses } })),
      )
      await client.invalidateQueries({ queryKey: ['invitations'] })
      await client.invalidateQueries({ queryKey: ['teams'] })
    } catch (err) {
      setError(errorMessage(err))
    } finally {
      setBusy(false)
    }
  }
  const problemRows = plan?.rows.filter((r) => r.problems.length > 0) ?? []

  return (
    <Modal opened={opened} onClose={close} title={t('people.import_title')} size="xl">
      {imported ? (
        <Stack>
          <Alert color="sillon" icon={<IconCheck />}>
            {t('people.imported', { count: imported.invitations.length })}
            {imported.created_classes.length > 0 &&
              ` ${t('people.classes_created', { names: imported.created_classes.map((c) => c.name).join(', ') })}`}
          </Alert>
          <Text size="sm">{t('people.no_email_yet')}</Text>
          <Group>
            <Button leftSection={<IconDownload size={16} />} onClick={() => downloadLinks(imported)}>
              {t('people.download_links')}
            </Button>
            <Button variant="default" onClick={close}>
              {t('common.close')}
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack>
          <Text size="sm">{t('people.import_intro')}</Text>
          <Text size="sm" c="dimmed">
            {t('people.no_email_yet')}
          </Text>
          <FileInput
            label={t('people.file')}
            placeholder={t('people.file_placeholder')}
            accept=".csv,text/csv,text/plain"
            leftSection={<IconUpload size={16} />}
            value={file}
            onChange={(f) => void choose(f)}
            clearable
            clearButtonProps={{ 'aria-label': t('people.clear_file') }}
          />
          <Checkbox
            label={t('people.create_classes')}
            checked={createClasses}
            onChange={(e) => {
              const next = e.currentTarget.checked
              setCreateClasses(next)
              if (csv) void check(csv, next)
            }}
          />
          {error && (
            <Text c="red.8" size="sm" role="alert">
              {error}
            </Text>
          )}
          {plan && (
            <Stack gap="xs">
              {plan.new_classes.length > 0 && (
                <Text size="sm">{t('people.new_classes', { names: plan.new_classes.join(', ') })}</Text>
              )}
              <Alert color={plan.valid ? 'sillon' : 'orange'} role="status">
                {plan.valid
                  ? t('people.preview_ok', { count: plan.rows.length })
                  : t('people.preview_problems', { count: problemRows.length })}
              </Alert>
              <Table.ScrollContainer minWidth={560} mah={320}>
                <Table striped data-testid="import-preview">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">{t('people.line')}</Table.Th>
                      <Table.Th scope="col">{t('members.name')}</Table.Th>
                      <Table.Th scope="col">{t('members.email')}</Table.Th>
                      <Table.Th scope="col">{t('members.role')}</Table.Th>
                      <Table.Th scope="col">{t('people.class')}</Table.Th>
                      <Table.Th scope="col">{t('people.problems')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {plan.rows.map((r) => (
                      <Table.Tr key={r.line}>
                        <Table.Td>{r.line}</Table.Td>
                        <Table.Td>{r.name || '—'}</Table.Td>
                        <Table.Td>{r.email || '—'}</Table.Td>
                        <Table.Td>{r.role ? t(`roles.${r.role}`) : '—'}</Table.Td>
                        <Table.Td>{r.class_name ?? '—'}</Table.Td>
                        <Table.Td>
                          {r.problems.length === 0 ? (
                            <Badge color="sillon" variant="light">
                              {t('people.ok')}
                            </Badge>
                          ) : (
                            <Group gap={4}>
                              {r.problems.map((p) => (
                                <Badge key={p} color="red" variant="light" tt="none">
                                  {t(`people.problem.${p}`)}
                                </Badge>
                              ))}
                            </Group>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Stack>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button
              leftSection={<IconFileImport size={16} />}
              disabled={!plan?.valid}
              loading={busy}
              onClick={() => void run()}
            >
              {t('people.run_import', { count: plan?.rows.length ?? 0 })}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  )
}
