// Searching and paging the lists that grow (courses, members, classes, API tokens, webhooks), in French.
// Merged under the key `lists`; lists.en.ts must have the same keys (its type checks it).

export const listsFr = {
  search_courses: 'Rechercher un cours',
  search_members: 'Rechercher un membre',
  search_classes: 'Rechercher une classe',
  search_tokens: 'Rechercher un jeton',
  search_tokens_hint: 'Son nom, son préfixe ou l’e-mail de son titulaire',
  search_webhooks: 'Rechercher une adresse',
  pages: 'Pages de la liste',
  page_n: 'Page {{page}}',
  range: '{{from}}–{{to}} sur {{total}}',
  no_results: 'Aucun résultat pour « {{search}} »',
  no_results_filtered: 'Aucun résultat avec ces filtres',
  no_results_hint: 'Vérifiez l’orthographe, essayez un autre mot ou effacez la recherche.',
  clear: 'Effacer la recherche',
}
