import type * as catalog from '../catalog/index.ts'
import type * as identity from '../identity/index.ts'

// Sillon's views in Unified.to's shape: what Sillon holds as null, Unified leaves out.

type Person = Awaited<ReturnType<typeof identity.getPerson>>

function personView(p: Person) {
  return {
    id: p.id,
    created_at: p.created_at,
    updated_at: p.updated_at,
    name: p.name ?? undefined,
    first_name: p.first_name ?? undefined,
    last_name: p.last_name ?? undefined,
    emails: p.emails,
    telephones: p.telephones,
    image_url: p.image_url ?? undefined,
    raw: p.raw ?? undefined,
  }
}

export function studentView(p: Person) {
  return { ...personView(p), address: p.address ?? undefined }
}

export function instructorView(p: Person) {
  return { ...personView(p), title: p.title ?? undefined }
}

const reference = (r: { id: string; name: string | null }) => ({ id: r.id, name: r.name ?? undefined })

export function courseView(c: catalog.CourseView) {
  return {
    id: c.id,
    created_at: c.created_at,
    updated_at: c.updated_at,
    name: c.name,
    description: c.description ?? undefined,
    categories: c.categories,
    languages: c.languages,
    media: c.media,
    skills: c.skills,
    currency: c.currency ?? undefined,
    price_amount: c.price_amount ?? undefined,
    is_active: c.is_active,
    is_private: c.is_private,
    published_at: c.published_at ?? undefined,
    students: c.students.map(reference),
    instructors: c.instructors.map(reference),
    raw: c.raw ?? undefined,
  }
}

export function classView(c: catalog.ClassView) {
  return {
    id: c.id,
    created_at: c.created_at,
    updated_at: c.updated_at,
    course_id: c.course_id,
    name: c.name,
    description: c.description ?? undefined,
    languages: c.languages,
    media: c.media,
    raw: c.raw ?? undefined,
  }
}
