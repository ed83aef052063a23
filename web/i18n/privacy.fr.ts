// Personal data (GDPR): downloading one's data, an administrator's access and erasure requests, in French.
// Merged under the key `privacy`; privacy.en.ts must have the same keys (its type checks it).

export const privacyFr = {
  mine: {
    title: 'Mes données',
    intro:
      'Tout ce que cet établissement conserve à votre sujet : compte, inscriptions, progression, réponses, XP et badges.',
    page: 'Voir la synthèse lisible',
    json: 'Télécharger (JSON)',
  },
  member: {
    open: 'Données personnelles de {{name}}',
    title: 'Données personnelles',
    intro:
      'Pour répondre à une demande d’accès, remettez ces fichiers à la personne. Chaque téléchargement est inscrit au journal d’audit.',
    page: 'Synthèse lisible',
    json: 'Données complètes (JSON)',
    erase_title: 'Effacer cette personne',
    erase_intro:
      'Son compte dans l’établissement, ses jetons et invitations sont supprimés ; ses inscriptions, sa progression et ses résultats restent sous un identifiant anonyme, sans nom, e-mail ni réponses libres, pour que les statistiques restent justes. Son compte est supprimé s’il n’appartient à aucun autre établissement. C’est définitif.',
    confirm: 'Pour confirmer, saisissez son e-mail : {{email}}',
    erase: 'Effacer définitivement',
    erased: '{{name}} a été effacé·e.',
    erased_account: '{{name}} a été effacé·e, avec son compte.',
  },
  retention: {
    title: 'Données des anciens membres',
    days: 'Conserver leurs données personnelles (jours)',
    description:
      'Un membre retiré de l’établissement garde son profil et son historique. Passé ce délai après son départ, il est effacé automatiquement (la nuit), comme par le bouton Effacer. Vide : conservées jusqu’à une demande d’effacement.',
    keep: 'Sans limite',
    save: 'Appliquer la durée',
    saved: 'Durée de conservation enregistrée.',
  },
}
