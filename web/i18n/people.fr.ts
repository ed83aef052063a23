// Inviting people: the CSV import and inviting into a class, in French.
// Merged under the key `people`; people.en.ts must have the same keys (its type checks it).

export const peopleFr = {
  import: 'Importer un CSV',
  import_title: 'Inviter à partir d’un fichier CSV',
  import_intro:
    'Une ligne par personne. Colonnes : nom, e-mail, rôle (facultatif, élève par défaut) et classe (facultative). Séparateur virgule, point-virgule ou tabulation.',
  file: 'Fichier CSV',
  clear_file: 'Retirer le fichier',
  file_placeholder: 'Choisir un fichier…',
  create_classes: 'Créer les classes qui n’existent pas encore',
  new_classes: 'Classes inconnues de l’établissement : {{names}}',
  check: 'Vérifier',
  preview_ok_one: '{{count}} personne prête à être invitée.',
  preview_ok_other: '{{count}} personnes prêtes à être invitées.',
  preview_problems_one: '{{count}} ligne à corriger : rien ne sera écrit tant qu’il en reste.',
  preview_problems_other: '{{count}} lignes à corriger : rien ne sera écrit tant qu’il en reste.',
  line: 'Ligne',
  problems: 'Problèmes',
  ok: 'OK',
  run_import_one: 'Inviter {{count}} personne',
  run_import_other: 'Inviter {{count}} personnes',
  imported_one: '{{count}} invitation créée.',
  imported_other: '{{count}} invitations créées.',
  classes_created: 'Classes créées : {{names}}.',
  no_email_yet:
    'Chaque personne invitée reçoit son lien par e-mail. Vous pouvez aussi télécharger les liens pour les envoyer vous-même : ils ne seront plus affichés ensuite.',
  download_links: 'Télécharger les liens (CSV)',
  problem: {
    name_missing: 'nom manquant',
    email_invalid: 'e-mail invalide',
    role_unknown: 'rôle inconnu',
    role_not_allowed: 'seul un propriétaire peut inviter un propriétaire',
    class_unknown: 'classe inconnue',
    class_for_students_only: 'seuls les élèves vont dans une classe',
    duplicate_in_file: 'déjà plus haut dans le fichier',
    already_member: 'déjà membre',
  },
  class: 'Classe',
  no_class: 'Aucune classe',
  class_hint: 'L’élève rejoint cette classe en acceptant l’invitation.',
  invite_to_class: 'Inviter dans {{name}}',
}
