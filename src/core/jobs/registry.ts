import { isScheduled, type JobDefinition, type OrganisationZone, type QueuedJob } from './job.ts'
import { assertValidSchedule } from './schedule.ts'

/** The jobs modules contribute (through the composition root), and the organisations they run for. */
export type JobRegistry = {
  register(...jobs: JobDefinition[]): void
  list(): JobDefinition[]
  find(name: string): JobDefinition | undefined
  /** The queued job of that name; throws when there is none, so a typo fails where it is made. */
  queued(name: string): QueuedJob
  /** Every organisation and its time zone, for per-organisation schedules. */
  organisations(): Promise<OrganisationZone[]>
}

export function createJobRegistry(organisations: () => Promise<OrganisationZone[]>): JobRegistry {
  const jobs = new Map<string, JobDefinition>()
  return {
    register(...added) {
      for (const job of added) {
        if (jobs.has(job.name)) throw new Error(`job ${job.name} is registered twice`)
        if (isScheduled(job)) assertValidSchedule(job.name, job.schedule)
        jobs.set(job.name, job)
      }
    },
    list: () => [...jobs.values()],
    find: (name) => jobs.get(name),
    queued(name) {
      const job = jobs.get(name)
      if (!job || isScheduled(job)) throw new Error(`no queued job named ${name}`)
      return job
    },
    organisations,
  }
}
