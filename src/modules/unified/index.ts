// Unified.to compatibility: Unified's LMS paths and shapes over identity's people and catalog's courses.
export type { UnifiedDeps } from './service.ts'
