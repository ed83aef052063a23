import type { Db } from '../../../core/db/database.ts'
import type { StepCaptionRow } from '../tables.ts'

// Caption tracks of step videos

export async function listCaptions(db: Db, orgId: string, classIds: string[]) {
  if (classIds.length === 0) return []
  return db
    .selectFrom('step_caption')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('class_id', 'in', classIds)
    .orderBy('language')
    .orderBy('id')
    .execute()
}

export async function getCaption(db: Db, orgId: string, classId: string, captionId: string) {
  return db
    .selectFrom('step_caption')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('class_id', '=', classId)
    .where('id', '=', captionId)
    .executeTakeFirst()
}

export async function insertCaption(db: Db, orgId: string, row: Omit<StepCaptionRow, 'org_id'>) {
  await db
    .insertInto('step_caption')
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function deleteCaption(db: Db, orgId: string, captionId: string) {
  await db.deleteFrom('step_caption').where('org_id', '=', orgId).where('id', '=', captionId).execute()
}
