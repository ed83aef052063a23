import type { Locale } from '../identity/index.ts'
import type { MailParams } from './mail/render.ts'
import { isMailTemplate, type MailTemplateName } from './mail/templates.ts'

type Localised = Record<Locale, string>

/** How each kind of notification reads in the inbox; a kind not listed here reads as a generic one. */
const titles: Record<string, Localised> = {
  'message.received': { fr: 'Nouveau message de {sender}', en: 'New message from {sender}' },
  'message.reported': { fr: 'Message signalé par {reporter}', en: 'Message reported by {reporter}' },
  'course.assigned': { fr: 'Nouveau parcours : {course}', en: 'New learning path: {course}' },
  'badge.awarded': { fr: 'Nouveau badge : {badge}', en: 'New badge: {badge}' },
  'student.at_risk': {
    fr: '{student} est en difficulté dans {course}',
    en: '{student} is at risk in {course}',
  },
}

const genericTitle: Localised = { fr: 'Nouvelle notification', en: 'New notification' }

/** The inbox title of a notification, in the reader's language; a param it lacks shows as "…". */
export function titleOf(kind: string, locale: Locale, params: MailParams): string {
  const template = (titles[kind] ?? genericTitle)[locale]
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? '…'))
}

/** Kinds whose cause reaches connected members live by itself (a new message: `message.created`). */
export function deliveredLiveElsewhere(kind: string): boolean {
  return kind === 'message.received'
}

/** The e-mail of a kind: its own template when there is one (messages: the digest), else the generic one. */
export function mailTemplateOf(kind: string): MailTemplateName {
  if (kind === 'message.received') return 'message.digest'
  return isMailTemplate(kind) ? kind : 'notification'
}
