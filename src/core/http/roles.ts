/**
 * The roles a member holds in a school. Core's access rules name them and the identity module stores and
 * grants them, so they are core's vocabulary: core imports no module.
 */
export const roles = ['owner', 'admin', 'instructor', 'student', 'support'] as const
export type Role = (typeof roles)[number]
