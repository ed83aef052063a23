/**
 * Runs `callback` once the browser has painted what the page shows now (after the next frame), and returns
 * what cancels it. For work that the first drawing need not wait for, such as a request whose answer is not
 * on screen or a video's loading: started from an effect, it would run before that first paint, which a slow
 * phone then shows later. A timer stands in for the frame in a tab in the background, which draws none.
 */
export function afterNextPaint(callback: () => void): () => void {
  let done = false
  const run = () => {
    if (done) return
    done = true
    cancel()
    callback()
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const frame = requestAnimationFrame(() => {
    timer = setTimeout(run, 0)
  })
  const fallback = setTimeout(run, 1_000)
  function cancel() {
    cancelAnimationFrame(frame)
    clearTimeout(timer)
    clearTimeout(fallback)
  }
  return () => {
    done = true
    cancel()
  }
}
