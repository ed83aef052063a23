import '@mantine/core/styles.css'
import '@mantine/charts/styles.css'
import '@mantine/notifications/styles.css'
import { createTheme, MantineProvider } from '@mantine/core'
import { Notifications } from '@mantine/notifications'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { BrowserRouter } from 'react-router'
import { ApiError } from './api/client.ts'
import { App } from './app.tsx'
import './i18n/index.ts'

// Calm and readable: one green accent, dark enough on white for WCAG AA contrast.
const theme = createTheme({
  primaryColor: 'sillon',
  primaryShade: 8,
  colors: {
    sillon: [
      '#eef7f1',
      '#dcede3',
      '#b5dac4',
      '#8cc6a3',
      '#69b587',
      '#53aa75',
      '#46a56b',
      '#379059',
      '#2c7f4d',
      '#1c6e3f',
    ],
  },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  defaultRadius: 'md',
})

const queryClient = new QueryClient({
  defaultOptions: {
    // A refusal (4xx) will not change by asking again; network hiccups and 5xx get one retry.
    queries: { retry: (count, err) => count < 1 && !(err instanceof ApiError && err.status < 500) },
  },
})

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <Notifications position="top-center" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
)
