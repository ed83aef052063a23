// The profile page (name, language, password, picture), in French. Merged under the key `profile`;
// profile.en.ts must have the same keys (its type checks it).

export const profileFr = {
  menu: 'Mon profil',
  title: 'Mon profil',
  intro: 'Ces informations vous suivent dans tous vos établissements.',
  picture: {
    title: 'Photo',
    hint: 'PNG, JPEG ou WebP. Elle est recadrée en carré et visible des membres de vos établissements.',
    choose: 'Choisir une photo',
    change: 'Changer de photo',
    remove: 'Retirer la photo',
    alt: 'Votre photo',
    saved: 'Photo enregistrée.',
    removed: 'Photo retirée.',
    unreadable: 'Cette image ne peut pas être lue : choisissez un fichier PNG, JPEG ou WebP.',
  },
  details: {
    title: 'Nom et langue',
    name: 'Nom affiché',
    name_required: 'Indiquez votre nom.',
    language: 'Langue de l’interface',
    language_school: 'Celle de l’établissement ({{language}})',
    saved: 'Profil enregistré.',
  },
  password: {
    title: 'Mot de passe',
    current: 'Mot de passe actuel',
    new: 'Nouveau mot de passe',
    new_hint: '8 caractères au moins ; plusieurs mots sans lien font un bon mot de passe.',
    confirm: 'Confirmez le nouveau mot de passe',
    current_required: 'Indiquez votre mot de passe actuel.',
    too_short: '8 caractères au moins.',
    mismatch: 'Les deux mots de passe ne sont pas identiques.',
    sign_out_others: 'Me déconnecter de mes autres appareils',
    submit: 'Changer le mot de passe',
    changed: 'Mot de passe changé.',
    advice: 'Conseils pour le mot de passe',
    no_password: 'Ce compte se connecte sans mot de passe (Cloudflare Access).',
  },
  errors: {
    invalid_password: 'Le mot de passe actuel n’est pas le bon.',
    unsupported_file_type: 'Seules les images PNG, JPEG ou WebP sont acceptées.',
    file_too_large: 'Cette image est trop lourde (2 Mo au plus).',
    picture_changed: 'Votre photo a changé entre-temps : réessayez.',
    session_required: 'Changez votre mot de passe depuis une session ouverte dans le navigateur.',
  },
}
