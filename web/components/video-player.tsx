import { Alert, AspectRatio, Group, NativeSelect, Stack, Text } from '@mantine/core'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Schemas } from '../api/client.ts'
import { onPingsSent, sendPing } from '../api/ping-queue.ts'

type Playback = Schemas['Playback']
type Progress = Schemas['StepProgress']

const PING_EVERY_MS = 10_000
// Seeking back is free; forward, a little slack for the player's own rounding.
const SEEK_SLACK_SEC = 1.5
const RATES = [0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3]

/** What both players offer the tracking: where we are, how fast, and events. */
type MediaLike = {
  currentTime: number
  playbackRate: number
  paused: boolean
  addEventListener: (type: string, listener: () => void) => void
  removeEventListener: (type: string, listener: () => void) => void
}

/**
 * Tracks watching the way the server credits it: a ping every 10 s while playing and on pause and end,
 * never faster than the course allows, and no seeking past what was watched.
 */
function useTracking(
  media: MediaLike | null,
  classId: string,
  creditedSec: number,
  maxRate: number,
  durationSec: number,
  onProgress: (progress: Progress) => void,
) {
  const watched = useRef(creditedSec)
  const [blockedSeek, setBlockedSeek] = useState(false)
  const report = useRef(onProgress)
  report.current = onProgress

  useEffect(() => {
    watched.current = Math.max(watched.current, creditedSec)
  }, [creditedSec])

  useEffect(() => {
    if (!media) return
    let timer: ReturnType<typeof setInterval> | null = null
    const onTime = () => {
      if (media.currentTime <= watched.current + SEEK_SLACK_SEC) {
        watched.current = Math.max(watched.current, media.currentTime)
      }
    }
    // A ping carries only a position actually played: the time of a forward seek is not one, even before
    // its `seeking` event snaps it back (Chromium's controls pause for a scrub once the time has moved,
    // and the server would count that position as a skip attempt).
    const ping = () => {
      onTime()
      sendPing({
        class_id: classId,
        position: Math.min(media.currentTime, watched.current, durationSec),
        playback_rate: media.playbackRate,
        duration: durationSec,
      }).catch(() => undefined)
    }
    const onSeeking = () => {
      if (media.currentTime > watched.current + SEEK_SLACK_SEC) {
        media.currentTime = watched.current
        setBlockedSeek(true)
      }
    }
    const onRate = () => {
      if (media.playbackRate > maxRate) media.playbackRate = maxRate
    }
    const onPlay = () => {
      ping()
      timer ??= setInterval(ping, PING_EVERY_MS)
    }
    const onStop = () => {
      if (timer) clearInterval(timer)
      timer = null
      ping()
    }
    const events: [string, () => void][] = [
      ['timeupdate', onTime],
      ['seeking', onSeeking],
      ['ratechange', onRate],
      ['play', onPlay],
      ['pause', onStop],
      ['ended', onStop],
    ]
    for (const [type, listener] of events) media.addEventListener(type, listener)
    // Progress comes back with every batch, also the one sent on reconnecting after the video ended.
    const unsubscribe = onPingsSent((progress) => {
      const step = progress.find((p) => p.class_id === classId)
      if (step) report.current(step)
    })
    return () => {
      unsubscribe()
      for (const [type, listener] of events) media.removeEventListener(type, listener)
      if (timer) clearInterval(timer)
    }
  }, [media, classId, maxRate, durationSec])

  return { blockedSeek, dismissSeek: () => setBlockedSeek(false) }
}

export function Html5Video({
  url,
  onMedia,
}: {
  url: string
  onMedia: (media: HTMLVideoElement | null) => void
}) {
  const { t } = useTranslation()
  const ref = useRef<HTMLVideoElement>(null)
  useEffect(() => {
    const video = ref.current
    if (!video) return
    let destroy = () => {}
    let cancelled = false
    // HLS plays natively in Safari; elsewhere through hls.js, loaded only for such videos.
    if (/\.m3u8(\?|$)/.test(url) && !video.canPlayType('application/vnd.apple.mpegurl')) {
      void import('hls.js').then(({ default: Hls }) => {
        if (cancelled || !Hls.isSupported()) return
        const hls = new Hls()
        hls.loadSource(url)
        hls.attachMedia(video)
        destroy = () => hls.destroy()
        onMedia(video)
      })
    } else {
      video.src = url
      onMedia(video)
    }
    return () => {
      cancelled = true
      destroy()
      onMedia(null)
    }
  }, [url, onMedia])
  return (
    // biome-ignore lint/a11y/useMediaCaption: course videos come without caption tracks for now
    <video
      ref={ref}
      controls
      playsInline
      preload="metadata"
      style={{ width: '100%', background: '#000' }}
      aria-label={t('player.video')}
      data-testid="video"
    />
  )
}

type StreamPlayer = MediaLike
declare global {
  interface Window {
    Stream?: (iframe: HTMLIFrameElement) => StreamPlayer
  }
}

const STREAM_SDK = 'https://embed.cloudflarestream.com/embed/sdk.latest.js'

/** Cloudflare Stream's iframe, driven through its player SDK (loaded once, from Cloudflare). */
export function StreamVideo({ id, onMedia }: { id: string; onMedia: (media: StreamPlayer | null) => void }) {
  const { t } = useTranslation()
  const ref = useRef<HTMLIFrameElement>(null)
  useEffect(() => {
    let cancelled = false
    const attach = () => {
      if (!cancelled && ref.current && window.Stream) onMedia(window.Stream(ref.current))
    }
    if (window.Stream) attach()
    else {
      const script = document.createElement('script')
      script.src = STREAM_SDK
      script.onload = attach
      document.head.append(script)
    }
    return () => {
      cancelled = true
      onMedia(null)
    }
  }, [onMedia])
  return (
    <AspectRatio ratio={16 / 9}>
      <iframe
        ref={ref}
        title={t('player.video')}
        src={`https://iframe.cloudflarestream.com/${encodeURIComponent(id)}`}
        allow="accelerometer; gyroscope; autoplay; encrypted-media; picture-in-picture"
        allowFullScreen
        style={{ border: 0 }}
      />
    </AspectRatio>
  )
}

/** The step's video with tracking, the speed choice (up to the course's maximum) and the skip guard. */
export function VideoPlayer({
  classId,
  playback,
  creditedSec,
  maxRate,
  onProgress,
}: {
  classId: string
  playback: Playback
  creditedSec: number
  maxRate: number
  onProgress: (progress: Progress) => void
}) {
  const { t } = useTranslation()
  const [media, setMedia] = useState<MediaLike | null>(null)
  const [rate, setRate] = useState('1')
  const { blockedSeek, dismissSeek } = useTracking(
    media,
    classId,
    creditedSec,
    maxRate,
    playback.duration_sec,
    onProgress,
  )
  useEffect(() => {
    if (media) media.playbackRate = Number(rate)
  }, [media, rate])
  return (
    <Stack gap="xs">
      {playback.source === 'url' ? (
        <Html5Video url={playback.url} onMedia={setMedia} />
      ) : (
        <StreamVideo id={playback.token ?? playback.uid} onMedia={setMedia} />
      )}
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {t('player.video_hint')}
        </Text>
        <NativeSelect
          aria-label={t('player.speed')}
          size="xs"
          w={110}
          data={RATES.filter((r) => r <= maxRate).map((r) => ({ value: String(r), label: `×${r}` }))}
          value={rate}
          onChange={(e) => setRate(e.currentTarget.value)}
        />
      </Group>
      {blockedSeek && (
        <Alert color="yellow" withCloseButton onClose={dismissSeek} closeButtonLabel={t('common.close')}>
          {t('player.no_skipping')}
        </Alert>
      )}
    </Stack>
  )
}
