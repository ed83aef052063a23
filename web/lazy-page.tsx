import { type ComponentType, lazy, useState } from 'react'

const loaders = new Map<string, () => Promise<unknown>>()

/**
 * A page whose code comes with its first visit, as with React.lazy. `module` is its file under web/ as the
 * build's manifest names it: when the server names that page in this one (src/entry/web-app.ts),
 * `loadPageAhead` fetches it before the app first draws, so the page shows at once, without a spinner first.
 */
export function lazyPage<P extends object>(
  module: string,
  load: () => Promise<ComponentType<P>>,
): ComponentType<P> {
  let loaded: ComponentType<P> | undefined
  let loading: Promise<ComponentType<P>> | undefined
  const start = () => {
    loading ??= load().then((page) => {
      loaded = page
      return page
    })
    return loading
  }
  loaders.set(module, start)
  const Lazy = lazy(() => start().then((page) => ({ default: page })))
  return function Page(props: P) {
    // Chosen once per mount: switching from one to the other would remount the page and lose its state.
    const [Ready] = useState(() => loaded)
    return Ready ? <Ready {...props} /> : <Lazy {...props} />
  }
}

/** Loads the code of the page the server named in this one, if any; never fails (the page then loads lazily). */
export async function loadPageAhead(): Promise<void> {
  const module = document.querySelector<HTMLMetaElement>('meta[name="sillon-page"]')?.content
  await loaders
    .get(module ?? '')?.()
    .catch(() => undefined)
}
