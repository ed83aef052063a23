import type { Kysely } from 'kysely'
import { columnTypes } from '../column-types.ts'

// Catalog: courses (learning paths) and their steps, quizzes, KMS resources, teams and enrolments.
// Lists that are part of a document (categories, languages, skills, quiz questions) are JSON text;
// relations that queries filter on (enrolments, assignments, team members) are tables.

export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db)

  await db.schema
    .createTable('lms_course')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('categories_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('media_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('languages_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('objectives_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('skills_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('currency', 'text')
    .addColumn('price_amount', t.double)
    .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('is_private', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_playback_rate', t.double, (c) => c.notNull().defaultTo(2))
    .addColumn('video_completion_threshold', t.double, (c) => c.notNull().defaultTo(0.9))
    .addColumn('quiz_pass_threshold', t.double, (c) => c.notNull().defaultTo(0.8))
    .addColumn('raw_json', 'text')
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('published_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('lms_course_org_updated')
    .on('lms_course')
    .columns(['org_id', 'updated_at'])
    .execute()
  await db.schema
    .createIndex('lms_course_org_status')
    .on('lms_course')
    .columns(['org_id', 'status'])
    .execute()

  await db.schema
    .createTable('quizzes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('pass_threshold', t.double)
    .addColumn('questions_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('tally_json', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('quizzes_org').on('quizzes').column('org_id').execute()

  await db.schema
    .createTable('lms_class')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('course_id', 'text', (c) => c.notNull().references('lms_course.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('order_index', 'integer', (c) => c.notNull())
    .addColumn('step_type', 'text', (c) => c.notNull())
    .addColumn('content_md', 'text')
    .addColumn('video_json', 'text')
    .addColumn('quiz_id', 'text', (c) => c.references('quizzes.id').onDelete('set null'))
    .addColumn('media_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('languages_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('skills_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('raw_json', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('lms_class_org_course_order')
    .on('lms_class')
    .columns(['org_id', 'course_id', 'order_index'])
    .execute()
  await db.schema
    .createIndex('lms_class_org_updated')
    .on('lms_class')
    .columns(['org_id', 'updated_at'])
    .execute()

  await db.schema
    .createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema.createIndex('teams_org_name').on('teams').columns(['org_id', 'name']).execute()

  await db.schema
    .createTable('team_members')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull().references('lms_student.id').onDelete('cascade'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'student_id'])
    .execute()
  await db.schema
    .createIndex('team_members_org_student')
    .on('team_members')
    .columns(['org_id', 'student_id'])
    .execute()

  await db.schema
    .createTable('course_students')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('course_id', 'text', (c) => c.notNull().references('lms_course.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull().references('lms_student.id').onDelete('cascade'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('course_students_pk', ['course_id', 'student_id'])
    .execute()
  await db.schema
    .createIndex('course_students_org_student')
    .on('course_students')
    .columns(['org_id', 'student_id'])
    .execute()

  await db.schema
    .createTable('course_teams')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('course_id', 'text', (c) => c.notNull().references('lms_course.id').onDelete('cascade'))
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('course_teams_pk', ['course_id', 'team_id'])
    .execute()
  await db.schema
    .createIndex('course_teams_org_team')
    .on('course_teams')
    .columns(['org_id', 'team_id'])
    .execute()

  await db.schema
    .createTable('course_instructors')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('course_id', 'text', (c) => c.notNull().references('lms_course.id').onDelete('cascade'))
    .addColumn('instructor_id', 'text', (c) =>
      c.notNull().references('lms_instructor.id').onDelete('cascade'),
    )
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('course_instructors_pk', ['course_id', 'instructor_id'])
    .execute()
  await db.schema
    .createIndex('course_instructors_org_instructor')
    .on('course_instructors')
    .columns(['org_id', 'instructor_id'])
    .execute()

  await db.schema
    .createTable('kms_resource')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('course_id', 'text', (c) => c.notNull().references('lms_course.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body_md', 'text')
    .addColumn('url', 'text')
    .addColumn('file_key', 'text')
    .addColumn('file_name', 'text')
    .addColumn('file_type', 'text')
    .addColumn('file_size', 'integer')
    .addColumn('available_in_advance', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('order_index', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('kms_resource_org_course')
    .on('kms_resource')
    .columns(['org_id', 'course_id', 'order_index'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'kms_resource',
    'course_instructors',
    'course_teams',
    'course_students',
    'team_members',
    'teams',
    'lms_class',
    'quizzes',
    'lms_course',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
