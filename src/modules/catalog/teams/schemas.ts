import { z } from '@hono/zod-openapi'
import { PaginationQuery } from '../../../core/http/schemas.ts'
import { Id, Ids, idParam, Timestamp } from '../schemas.ts'

export const TeamParams = z.object({ id: idParam('id', '4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8') })
export const TeamMemberParams = TeamParams.extend({
  student_id: idParam('student_id', '3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b'),
})

export const TeamSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    student_ids: z.array(z.string()),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('Team')

export const CreateTeamBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).nullable().optional(),
    student_ids: Ids.optional(),
  })
  .openapi('CreateTeam', {
    example: { name: 'Seconde B', student_ids: ['3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b'] },
  })

export const UpdateTeamBody = CreateTeamBody.partial().openapi('UpdateTeam', {
  example: { name: 'Seconde B (groupe 2)' },
})

export const AddTeamMemberBody = z
  .object({ student_id: Id })
  .openapi('AddTeamMember', { example: { student_id: '3a1f1d0c-2b7e-4c57-9a59-0f8e5c1a3d0b' } })

export const TeamListQuery = PaginationQuery.extend({ query: z.string().trim().max(200).optional() })

export const MyTeamsSchema = z.array(z.object({ id: z.string(), name: z.string() })).openapi('MyTeams')
