// Mantine's styles for the components the app uses, not all of them (a third less to fetch before the first
// drawing), in the order of its full styles.css, in the one stylesheet of the entry: one request, as before.
// test/e2e/styles.test.ts fails when a component the build uses has no styles here.
import '@mantine/core/styles/baseline.css'
import '@mantine/core/styles/default-css-variables.css'
import '@mantine/core/styles/global.css'
import '@mantine/core/styles/ScrollArea.css'
import '@mantine/core/styles/UnstyledButton.css'
import '@mantine/core/styles/VisuallyHidden.css'
import '@mantine/core/styles/Paper.css'
import '@mantine/core/styles/Overlay.css'
import '@mantine/core/styles/Popover.css'
import '@mantine/core/styles/Loader.css'
import '@mantine/core/styles/ActionIcon.css'
import '@mantine/core/styles/CloseButton.css'
import '@mantine/core/styles/Group.css'
import '@mantine/core/styles/ModalBase.css'
import '@mantine/core/styles/Input.css'
import '@mantine/core/styles/FloatingIndicator.css'
import '@mantine/core/styles/Accordion.css'
import '@mantine/core/styles/Alert.css'
import '@mantine/core/styles/Text.css'
import '@mantine/core/styles/Anchor.css'
import '@mantine/core/styles/AppShell.css'
import '@mantine/core/styles/AspectRatio.css'
import '@mantine/core/styles/Combobox.css'
import '@mantine/core/styles/InlineInput.css'
import '@mantine/core/styles/CheckboxCard.css'
import '@mantine/core/styles/CheckboxIndicator.css'
import '@mantine/core/styles/Checkbox.css'
import '@mantine/core/styles/Avatar.css'
import '@mantine/core/styles/Badge.css'
import '@mantine/core/styles/Burger.css'
import '@mantine/core/styles/Button.css'
import '@mantine/core/styles/Card.css'
import '@mantine/core/styles/Center.css'
import '@mantine/core/styles/Code.css'
import '@mantine/core/styles/ColorSwatch.css'
import '@mantine/core/styles/Divider.css'
import '@mantine/core/styles/Drawer.css'
import '@mantine/core/styles/Fieldset.css'
import '@mantine/core/styles/Grid.css'
import '@mantine/core/styles/Image.css'
import '@mantine/core/styles/Indicator.css'
import '@mantine/core/styles/List.css'
import '@mantine/core/styles/Menu.css'
import '@mantine/core/styles/Modal.css'
import '@mantine/core/styles/Pill.css'
import '@mantine/core/styles/PillsInput.css'
import '@mantine/core/styles/NavLink.css'
import '@mantine/core/styles/Notification.css'
import '@mantine/core/styles/NumberInput.css'
import '@mantine/core/styles/Pagination.css'
import '@mantine/core/styles/PasswordInput.css'
import '@mantine/core/styles/Progress.css'
import '@mantine/core/styles/RadioCard.css'
import '@mantine/core/styles/RadioIndicator.css'
import '@mantine/core/styles/Radio.css'
import '@mantine/core/styles/Tooltip.css'
import '@mantine/core/styles/SegmentedControl.css'
import '@mantine/core/styles/SimpleGrid.css'
import '@mantine/core/styles/Stack.css'
import '@mantine/core/styles/Switch.css'
import '@mantine/core/styles/Table.css'
import '@mantine/core/styles/Tabs.css'
import '@mantine/core/styles/ThemeIcon.css'
import '@mantine/core/styles/Timeline.css'
import '@mantine/core/styles/Title.css'
import '@mantine/core/styles/Typography.css'
import '@mantine/notifications/styles.css'
import { type CSSVariablesResolver, createTheme, MantineProvider, mergeThemeOverrides } from '@mantine/core'
import { Notifications } from '@mantine/notifications'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { type ReactNode, StrictMode, startTransition, useMemo } from 'react'
import { createRoot } from 'react-dom/client'
import { useTranslation } from 'react-i18next'
import { BrowserRouter } from 'react-router'
import { ApiError } from './api/client.ts'
import { App } from './app.tsx'
import { accountLanguage, meKey, sessionFromPage } from './hooks/session.ts'
import { changeLanguage, initialLanguage } from './i18n/index.ts'
import { loadPageAhead } from './lazy-page.tsx'

// Calm and readable: one green accent, dark enough on white for WCAG AA contrast.
const baseTheme = createTheme({
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
  // Dialogs, drawers and menus open without fading or sliding for those whose system asks for less motion.
  respectReducedMotion: true,
  // Plain objects rather than `Badge.extend(…)`: naming the components here would put their code and CSS in
  // the first download of every page.
  components: {
    // A chip never cuts its words ("TER…" for "Terminé"): it keeps at least its longest word's width and
    // wraps onto a second line rather than ending in an ellipsis.
    Badge: {
      styles: {
        root: {
          height: 'auto',
          minHeight: 'var(--badge-height)',
          minWidth: 'min-content',
          overflow: 'visible',
        },
        label: { whiteSpace: 'normal', overflow: 'visible', textOverflow: 'clip' },
      },
    },
  },
})

// Mantine's dimmed grey (3.3:1 on white) and the text of its light variants (shade 6 on a pale tint) miss
// WCAG AA's 4.5:1; shade 9 darkened by a third reaches it on every tint, yellow and orange included.
const LIGHT_VARIANT_COLORS = ['sillon', 'red', 'orange', 'yellow', 'green', 'blue', 'gray', 'dark']
const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#5c636a',
    // The green of the name "Sillon" and of headings drawn in the brand's colour, dark on white, light on dark.
    '--sillon-heading-color': 'var(--mantine-color-sillon-9)',
    // A heading that says something failed (a quiz not passed): red that reads on white, and on dark.
    '--sillon-error-heading-color': 'var(--mantine-color-red-8)',
    ...Object.fromEntries(
      LIGHT_VARIANT_COLORS.map((c) => [
        `--mantine-color-${c}-light-color`,
        `color-mix(in srgb, var(--mantine-color-${c}-9), black 35%)`,
      ]),
    ),
  },
  dark: {
    // Mantine's dark dimmed (dark-2, 4:1 on the dark body) misses AA too; dark-1 reads at 7.9:1.
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
    '--sillon-heading-color': 'var(--mantine-color-sillon-3)',
    '--sillon-error-heading-color': 'var(--mantine-color-red-4)',
  },
})

// The server names, per page, the nonce its Content-Security-Policy allows on Mantine's <style> elements.
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content
const styleNonce = nonce ? () => nonce : undefined

const queryClient = new QueryClient({
  defaultOptions: {
    // A refusal (4xx) will not change by asking again; network hiccups and 5xx get one retry.
    queries: { retry: (count, err) => count < 1 && !(err instanceof ApiError && err.status < 500) },
  },
})

/** The theme, with the close buttons of dialogs and drawers named in the interface language. */
function Theme({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation()
  // biome-ignore lint/correctness/useExhaustiveDependencies: the labels change with the language
  const theme = useMemo(() => {
    const closeButtonProps = { 'aria-label': t('common.close') }
    return mergeThemeOverrides(baseTheme, {
      components: {
        Modal: { defaultProps: { closeButtonProps } },
        Drawer: { defaultProps: { closeButtonProps } },
      },
    })
  }, [t, i18n.language])
  return (
    <MantineProvider
      theme={theme}
      cssVariablesResolver={cssVariables}
      getStyleNonce={styleNonce}
      // Light or dark as the system says, unless the account menu's choice (kept on this device) says otherwise.
      defaultColorScheme="auto"
    >
      {children}
    </MantineProvider>
  )
}

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
// The page says who is signed in: the first drawing is the sign-in page or the shell, never a spinner
// waiting for the API, and it is in the account's language.
const session = sessionFromPage()
if (session !== undefined) queryClient.setQueryData(meKey, session)
const language = (session && accountLanguage(session)) || initialLanguage()

// Drawn once that language's texts are there (at once in French; English is fetched first), and the code
// of the page the server named (src/entry/web-app.ts), so that the first drawing is the whole page.
void Promise.all([changeLanguage(language).catch(() => undefined), loadPageAhead()]).then(() => {
  const app = createRoot(root)
  // As a transition, React draws the first page in slices of a few milliseconds: a slow phone's main thread
  // is never held for long at a stretch, and a tap during the drawing is not kept waiting.
  startTransition(() =>
    app.render(
      <StrictMode>
        <Theme>
          <Notifications position="top-center" />
          <QueryClientProvider client={queryClient}>
            <BrowserRouter>
              <App />
            </BrowserRouter>
          </QueryClientProvider>
        </Theme>
      </StrictMode>,
    ),
  )
})
