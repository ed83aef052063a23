export const tokenView = (t: {
  id: string
  name: string
  user_id: string
  user_email: string
  token_prefix: string
  expires_at: string | null
  last_used_at: string | null
  created_at: string
}) => ({
  id: t.id,
  name: t.name,
  user_id: t.user_id,
  user_email: t.user_email,
  prefix: t.token_prefix,
  expires_at: t.expires_at,
  last_used_at: t.last_used_at,
  created_at: t.created_at,
})
