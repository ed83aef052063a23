import type { AreaChartProps, BarChartProps } from '@mantine/charts'
import { Box } from '@mantine/core'
import { type ComponentType, lazy, type ReactNode, Suspense, useEffect, useRef, useState } from 'react'

// Mantine's charts (Recharts underneath) and their styles weigh more than the rest of a page: they are
// fetched only once a chart is about to scroll into view, so a phone shows the page first.

const loadCharts = () =>
  Promise.all([import('@mantine/charts'), import('@mantine/charts/styles.css')]).then(([charts]) => charts)

function lazyChart<P extends object>(pick: (charts: typeof import('@mantine/charts')) => ComponentType<P>) {
  return lazy(() => loadCharts().then((charts) => ({ default: pick(charts) })))
}

const LazyBarChart = lazyChart((charts) => charts.BarChart)
const LazyAreaChart = lazyChart((charts) => charts.AreaChart)

// Starts loading a little before the chart enters the screen, so it is usually drawn by the time it shows.
const ROOT_MARGIN = '200px'

/** Holds the chart's place at its height (nothing shifts when it arrives) and renders it once near view. */
function WhenVisible({ h, children }: { h: BarChartProps['h']; children: ReactNode }) {
  const placeholder = useRef<HTMLDivElement>(null)
  const [visible, setVisible] = useState(typeof IntersectionObserver === 'undefined')
  useEffect(() => {
    const element = placeholder.current
    if (visible || !element) return
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return
        setVisible(true)
        observer.disconnect()
      },
      { rootMargin: ROOT_MARGIN },
    )
    observer.observe(element)
    return () => observer.disconnect()
  }, [visible])
  const space = <Box ref={placeholder} h={h} />
  if (!visible) return space
  return <Suspense fallback={space}>{children}</Suspense>
}

/** Mantine's BarChart, loaded when it scrolls into view. */
export function BarChart(props: BarChartProps) {
  return (
    <WhenVisible h={props.h}>
      <LazyBarChart {...props} />
    </WhenVisible>
  )
}

/** Mantine's AreaChart, loaded when it scrolls into view. */
export function AreaChart(props: AreaChartProps) {
  return (
    <WhenVisible h={props.h}>
      <LazyAreaChart {...props} />
    </WhenVisible>
  )
}
