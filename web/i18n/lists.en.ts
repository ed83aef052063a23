// Searching and paging the lists that grow, in English: the same keys as lists.fr.ts.

import type { listsFr } from './lists.fr.ts'

export const listsEn: typeof listsFr = {
  search_courses: 'Search courses',
  search_members: 'Search members',
  search_classes: 'Search classes',
  search_tokens: 'Search tokens',
  search_tokens_hint: 'Their name, prefix or owner’s e-mail',
  search_webhooks: 'Search by URL',
  pages: 'List pages',
  page_n: 'Page {{page}}',
  range: '{{from}}–{{to}} of {{total}}',
  no_results: 'No results for “{{search}}”',
  no_results_filtered: 'No results with these filters',
  no_results_hint: 'Check the spelling, try another word or clear the search.',
  clear: 'Clear search',
}
