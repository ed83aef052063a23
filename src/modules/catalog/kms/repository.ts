import type { Updateable } from 'kysely'
import type { Db } from '../../../core/db/database.ts'
import type { KmsResourceRow } from '../tables.ts'

// KMS resources

export async function listKms(db: Db, orgId: string, courseId: string) {
  return db
    .selectFrom('kms_resource')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .orderBy('order_index')
    .orderBy('id')
    .execute()
}

export async function getKms(db: Db, orgId: string, courseId: string, resourceId: string) {
  return db
    .selectFrom('kms_resource')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('course_id', '=', courseId)
    .where('id', '=', resourceId)
    .executeTakeFirst()
}

export async function insertKms(db: Db, orgId: string, row: Omit<KmsResourceRow, 'org_id'>) {
  await db
    .insertInto('kms_resource')
    .values({ ...row, org_id: orgId })
    .execute()
}

export async function updateKms(
  db: Db,
  orgId: string,
  resourceId: string,
  patch: Updateable<KmsResourceRow>,
) {
  await db
    .updateTable('kms_resource')
    .set(patch)
    .where('org_id', '=', orgId)
    .where('id', '=', resourceId)
    .execute()
}

export async function deleteKms(db: Db, orgId: string, resourceId: string) {
  await db.deleteFrom('kms_resource').where('org_id', '=', orgId).where('id', '=', resourceId).execute()
}
