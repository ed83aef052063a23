import type { Locale } from '../../identity/index.ts'
import { type MailTemplate, type MailTemplateName, mailTemplates } from './templates.ts'

export type MailParams = Record<string, string | number>
export type RenderedMail = { subject: string; text: string; html: string }

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c)
}

function fill(text: string, params: MailParams, template: string, encode: (v: string) => string): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name]
    if (value === undefined) throw new Error(`mail template ${template} needs the param "${name}"`)
    // A subject or header line never spans lines, whatever a param holds.
    return encode(String(value).replace(/[\r\n]+/g, ' '))
  })
}

/** The link of an action: a path of the web app, or an http(s) URL; anything else is refused. */
function absoluteLink(value: string | number | undefined, publicUrl: string, template: string): string {
  if (value === undefined) throw new Error(`mail template ${template} needs a link`)
  const url = new URL(String(value), `${publicUrl}/`)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`mail template ${template}: a link must be http(s)`)
  }
  return url.toString()
}

const LAYOUT_FOOTER: Record<'notification' | 'account', Record<Locale, string>> = {
  notification: {
    fr: 'Vous recevez cet e-mail de {school} sur Sillon. Vos préférences de notification se règlent dans votre profil.',
    en: 'You receive this e-mail from {school} on Sillon. Set your notification preferences in your profile.',
  },
  account: {
    fr: 'Vous recevez cet e-mail de {school} sur Sillon, au sujet de votre compte.',
    en: 'You receive this e-mail from {school} on Sillon, about your account.',
  },
}

/**
 * Renders a template in one language: plain text, and HTML in the shared layout. Params are escaped in the
 * HTML and stripped of line breaks everywhere; `school` defaults to "Sillon".
 */
export function renderMail(
  name: MailTemplateName,
  locale: Locale,
  givenParams: MailParams,
  publicUrl: string,
): RenderedMail {
  const template: MailTemplate = mailTemplates[name]
  const params: MailParams = { school: 'Sillon', ...givenParams }
  const plain = (v: string) => v
  const subject = fill(template.subject[locale], params, name, plain)
  const paragraphs = template.paragraphs[locale]
  const footer = LAYOUT_FOOTER[template.account ? 'account' : 'notification'][locale]
  const action = template.action && {
    label: template.action.label[locale],
    url: absoluteLink(params[template.action.url], publicUrl, name),
  }
  const text = [
    ...paragraphs.map((p) => fill(p, params, name, plain)),
    ...(action ? [`${fill(action.label, params, name, plain)} : ${action.url}`] : []),
    '--',
    fill(footer, params, name, plain),
  ].join('\n\n')
  const html = layout({
    lang: locale,
    title: fill(template.subject[locale], params, name, escapeHtml),
    paragraphs: paragraphs.map((p) => fill(p, params, name, escapeHtml)),
    action: action && { label: fill(action.label, params, name, escapeHtml), url: escapeHtml(action.url) },
    footer: fill(footer, params, name, escapeHtml),
  })
  return { subject, text: `${text}\n`, html }
}

/** The one layout every e-mail shares; its arguments are already escaped. */
function layout(m: {
  lang: string
  title: string
  paragraphs: string[]
  action: { label: string; url: string } | undefined
  footer: string
}): string {
  const body = m.paragraphs.map((p) => `<p style="margin:0 0 16px">${p}</p>`).join('\n')
  const button = m.action
    ? `<p style="margin:24px 0"><a href="${m.action.url}" style="background:#2f5d50;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;display:inline-block">${m.action.label}</a></p>`
    : ''
  return `<!doctype html>
<html lang="${m.lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${m.title}</title></head>
<body style="margin:0;padding:0;background:#f4f1ea;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2a26">
<div style="max-width:560px;margin:0 auto;padding:24px">
<p style="font-weight:700;font-size:18px;margin:0 0 24px;color:#2f5d50">Sillon</p>
<div style="background:#ffffff;border-radius:8px;padding:24px;line-height:1.5">
${body}
${button}
</div>
<p style="font-size:12px;color:#5b6661;margin:16px 0 0">${m.footer}</p>
</div>
</body>
</html>
`
}
