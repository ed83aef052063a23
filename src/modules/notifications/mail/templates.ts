import type { Locale } from '../../identity/index.ts'

type Localised = Record<Locale, string>

/**
 * One e-mail, in French and English. `{name}` in the subject, the paragraphs and the action's label is
 * replaced by the param of that name (HTML-escaped in the HTML part); a missing param is an error when the
 * mail is queued. `action.url` names the param holding the link: a path of the web app or an http(s) URL.
 */
export type MailTemplate = {
  subject: Localised
  paragraphs: Record<Locale, string[]>
  action?: { label: Localised; url: string }
  /** Holds a secret (a sign-in or reset link): the mail log shows its subject and status, never its text. */
  secret?: boolean
  /** About the account itself (an invitation, a password): not a notification, so its footer does not send
   * the reader to notification preferences, which neither govern it nor exist yet for an invitee. */
  account?: boolean
}

/** Every e-mail Sillon writes, by name: `queueMail(deps, { template, ... })` picks one. */
export const mailTemplates = {
  'message.digest': {
    subject: {
      fr: '{count} message(s) non lu(s) de {sender}',
      en: '{count} unread message(s) from {sender}',
    },
    paragraphs: {
      fr: ['{sender} vous a écrit sur {school} :', '« {excerpt} »'],
      en: ['{sender} wrote to you on {school}:', '“{excerpt}”'],
    },
    action: { label: { fr: 'Lire la conversation', en: 'Read the conversation' }, url: 'link' },
  },
  'course.assigned': {
    subject: { fr: 'Nouveau parcours : {course}', en: 'New learning path: {course}' },
    paragraphs: {
      fr: ['Vous avez un nouveau parcours sur {school} : {course}.'],
      en: ['You have a new learning path on {school}: {course}.'],
    },
    action: { label: { fr: 'Commencer', en: 'Start' }, url: 'link' },
  },
  'badge.awarded': {
    subject: { fr: 'Nouveau badge : {badge}', en: 'New badge: {badge}' },
    paragraphs: {
      fr: ['Bravo ! Vous avez obtenu le badge « {badge} » sur {school}.'],
      en: ['Well done! You earned the “{badge}” badge on {school}.'],
    },
    action: { label: { fr: 'Voir mes récompenses', en: 'See my rewards' }, url: 'link' },
  },
  'student.at_risk': {
    subject: {
      fr: '{count} élève(s) en difficulté dans {course}',
      en: '{count} student(s) at risk in {course}',
    },
    paragraphs: {
      fr: ['{student} semble en difficulté dans le cours {course}, et peut-être d’autres élèves.'],
      en: ['{student} seems to be at risk in the course {course}, and maybe other students too.'],
    },
    action: { label: { fr: 'Voir le suivi', en: 'See their progress' }, url: 'link' },
  },
  notification: {
    subject: { fr: 'Nouvelle notification de {school}', en: 'New notification from {school}' },
    paragraphs: {
      fr: ['Vous avez une nouvelle notification sur {school}.'],
      en: ['You have a new notification on {school}.'],
    },
    action: { label: { fr: 'Ouvrir', en: 'Open' }, url: 'link' },
  },
  // Account e-mails (identity): an invitation, a reset link, and the confirmation of a changed password.
  'account.invitation': {
    subject: { fr: 'Invitation à rejoindre {school}', en: 'You are invited to join {school}' },
    paragraphs: {
      fr: [
        'Bonjour,',
        '{inviter} vous invite à rejoindre {school} sur Sillon, en tant que {role}.',
        'Ce lien est personnel et ne sert qu’une fois ; il expire le {expires}.',
      ],
      en: [
        'Hello,',
        '{inviter} invites you to join {school} on Sillon, as {role}.',
        'This link is personal and works once; it expires on {expires}.',
      ],
    },
    action: { label: { fr: 'Accepter l’invitation', en: 'Accept the invitation' }, url: 'link' },
    secret: true,
    account: true,
  },
  'account.password-reset': {
    subject: { fr: 'Réinitialiser votre mot de passe', en: 'Reset your password' },
    paragraphs: {
      fr: [
        'Bonjour {name},',
        'Quelqu’un (vous, sans doute) a demandé à changer le mot de passe de votre compte Sillon.',
        'Ce lien ne sert qu’une fois et expire dans {minutes} minutes. Si vous n’avez rien demandé, ignorez cet e-mail : votre mot de passe ne change pas.',
      ],
      en: [
        'Hello {name},',
        'Someone (you, most likely) asked to change the password of your Sillon account.',
        'This link works once and expires in {minutes} minutes. If you did not ask, ignore this e-mail: your password stays as it is.',
      ],
    },
    action: { label: { fr: 'Choisir un mot de passe', en: 'Choose a password' }, url: 'link' },
    secret: true,
    account: true,
  },
  'account.password-changed': {
    subject: { fr: 'Votre mot de passe a été changé', en: 'Your password was changed' },
    paragraphs: {
      fr: [
        'Bonjour {name},',
        'Le mot de passe de votre compte Sillon ({email}) vient d’être changé.',
        'Si ce n’est pas vous, demandez un nouveau mot de passe avec « Mot de passe oublié ? » et prévenez votre établissement.',
      ],
      en: [
        'Hello {name},',
        'The password of your Sillon account ({email}) has just been changed.',
        'If this was not you, ask for a new password with “Forgot your password?” and tell your school.',
      ],
    },
    action: { label: { fr: 'Mot de passe oublié ?', en: 'Forgot your password?' }, url: 'link' },
    account: true,
  },
} satisfies Record<string, MailTemplate>

export type MailTemplateName = keyof typeof mailTemplates

export function isMailTemplate(name: string): name is MailTemplateName {
  return Object.hasOwn(mailTemplates, name)
}
