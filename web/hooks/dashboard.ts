import { useQuery } from '@tanstack/react-query'
import { answerInPage, api, data, type Schemas } from '../api/client.ts'

// Apart from the dashboard page, so that the pages that read or refresh it (the player, the library) do not
// load the dashboard's chunk.

export const dashboardKey = ['dashboard'] as const

/** The signed-in student's dashboard (their courses, game and skills). */
export function useDashboard() {
  return useQuery({
    queryKey: dashboardKey,
    queryFn: async () => data(await api.GET('/api/me/dashboard')),
    initialData: () => answerInPage<Schemas['StudentDashboard']>('/api/me/dashboard'),
  })
}
