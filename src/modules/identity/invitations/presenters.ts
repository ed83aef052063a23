import type { Role } from '../tables.ts'

export const invitationView = (i: {
  id: string
  email: string
  name: string | null
  role: Role
  class: { id: string; name: string } | null
  expires_at: string
  created_at: string
}) => ({
  id: i.id,
  email: i.email,
  name: i.name,
  role: i.role,
  class: i.class,
  expires_at: i.expires_at,
  created_at: i.created_at,
})
