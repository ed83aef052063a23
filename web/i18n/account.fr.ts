/** Forgotten passwords: asking for a reset link, and choosing a new password with it. */
export const accountFr = {
  forgot_link: 'Mot de passe oublié ?',
  forgot_title: 'Mot de passe oublié',
  forgot_intro:
    'Indiquez l’adresse e-mail de votre compte : nous y enverrons un lien pour choisir un nouveau mot de passe.',
  forgot_submit: 'Recevoir le lien',
  forgot_sent:
    'Si un compte Sillon utilise l’adresse {{email}}, un e-mail vient de lui être envoyé. Le lien sert une fois et expire dans une heure. Pensez à regarder dans les indésirables.',
  back_to_sign_in: 'Retour à la connexion',
  reset_title: 'Nouveau mot de passe',
  reset_intro:
    'Choisissez le nouveau mot de passe de votre compte. Toutes vos sessions ouvertes seront fermées.',
  reset_no_token: 'Ce lien est incomplet. Ouvrez le lien entier reçu par e-mail.',
  new_password: 'Nouveau mot de passe',
  reset_submit: 'Enregistrer le mot de passe',
  ask_again: 'Demander un nouveau lien',
  reset_done: 'Votre mot de passe a été changé. Connectez-vous avec le nouveau.',
}
