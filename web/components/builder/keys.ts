// TanStack Query keys of the course builder. Every key starts with ['courses', id], so invalidating
// ['courses', id] after a change refreshes the course, its steps and its handout together.

/** The staff course list, every page and search of it (no course id is 'list'). */
export const courseListKey = ['courses', 'list'] as const
export const courseKey = (courseId: string) => ['courses', courseId] as const
export const stepsKey = (courseId: string) => ['courses', courseId, 'steps'] as const
export const kmsKey = (courseId: string) => ['courses', courseId, 'kms'] as const
export const teamsKey = ['teams'] as const
export const studentsKey = ['lms-students'] as const
