import type { accountFr } from './account.fr.ts'

export const accountEn: typeof accountFr = {
  forgot_link: 'Forgot your password?',
  forgot_title: 'Forgot your password',
  forgot_intro: 'Enter the e-mail address of your account: we will send it a link to choose a new password.',
  forgot_submit: 'Send me the link',
  forgot_sent:
    'If a Sillon account uses {{email}}, an e-mail is on its way to it. The link works once and expires in an hour. Check your spam folder too.',
  back_to_sign_in: 'Back to sign-in',
  reset_title: 'New password',
  reset_intro: 'Choose the new password of your account. Every session you have open will be signed out.',
  reset_no_token: 'This link is incomplete. Open the whole link you received by e-mail.',
  new_password: 'New password',
  reset_submit: 'Save the password',
  ask_again: 'Ask for a new link',
  reset_done: 'Your password has been changed. Sign in with the new one.',
}
