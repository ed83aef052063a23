import { systemClock } from '../../core/clock.ts'
import { loadConfig } from '../../core/config.ts'
import { createBackup } from './backup.ts'
import { restoreBackup } from './restore.ts'

export { BackupError } from './archive.ts'

/** `sillon backup <file>` and `sillon restore <file>`, for the CLI; a refusal throws a BackupError. */
export async function runBackupCommand(
  command: 'backup' | 'restore',
  file: string,
  env: Record<string, string | undefined>,
  say: (line: string) => void,
): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...env })
  if (command === 'backup') {
    const manifest = await createBackup(config, file, systemClock)
    const files = manifest.entries.filter((e) => e.path.startsWith('files/')).length
    const bytes = manifest.entries.reduce((sum, e) => sum + e.size, 0)
    say(
      `backup written to ${file}: ${manifest.dialect} database at migration ${manifest.migration}, ${files} uploaded file(s), ${bytes} bytes before compression`,
    )
    return
  }
  const { manifest, migrated } = await restoreBackup(config, file)
  say(`restored ${file} (made ${manifest.createdAt} by Sillon ${manifest.sillonVersion})`)
  say(migrated.length ? `migrated to the latest schema: ${migrated.join(', ')}` : 'schema is up to date')
}
