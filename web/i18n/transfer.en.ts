// Moving the school to another Sillon instance, in English: the same keys as transfer.fr.ts.

import type { transferFr } from './transfer.fr.ts'

export const transferEn: typeof transferFr = {
  title: 'Export the school',
  description:
    'An archive of the whole school: courses, steps, quizzes, captions and handouts with their files, classes, members and their accounts (hashed passwords included), enrolments, progress, history, rewards and settings. A platform operator imports it into another Sillon instance, where everyone signs in with their password. API tokens and webhooks stay behind. The export is recorded in the audit log.',
  download: 'Export the school',
}
