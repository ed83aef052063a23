import { Alert, AspectRatio, Group, NativeSelect, Progress, Stack, Text } from '@mantine/core'
import { IconPlayerPlay, IconWifiOff } from '@tabler/icons-react'
import { useCallback, useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Schemas } from '../api/client.ts'
import { onPingsSent, sendPing } from '../api/ping-queue.ts'
import { afterNextPaint } from '../hooks/after-paint.ts'

type Playback = Schemas['Playback']
type Caption = NonNullable<Schemas['StudentCourse']['steps'][number]['content']>['captions'][number]
type StepProgress = Schemas['StepProgress']

// A ping every ten seconds while a video plays. The browser tests ask for shorter, down to a second, through
// localStorage, so that they watch a ping period go by without waiting ten seconds for it.
const PING_EVERY_MS = 10_000
const PING_EVERY_KEY = 'sillon.ping-every-ms'

function pingEveryMs(): number {
  const asked = Number(localStorage.getItem(PING_EVERY_KEY))
  return asked >= 1_000 && asked < PING_EVERY_MS ? asked : PING_EVERY_MS
}
// Seeking back is free; forward, a little slack for the player's own rounding.
const SEEK_SLACK_SEC = 1.5
const RATES = [0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3]

/** A position as a player shows it: 0:42, 12:05, 1:02:03. */
function clockTime(totalSec: number): string {
  const sec = Math.max(0, Math.floor(totalSec))
  const [h, m, s] = [Math.floor(sec / 3600), Math.floor((sec % 3600) / 60), sec % 60]
  const pad = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`
}

// The speed a student picks is theirs on this device, per course: a reload or the next video keeps it.
const rateKey = (courseId: string) => `sillon.video-rate.${courseId}`

function storedRate(courseId: string, maxRate: number): string {
  const stored = Number(localStorage.getItem(rateKey(courseId)))
  return RATES.includes(stored) && stored <= maxRate ? String(stored) : '1'
}

/** Whether the browser is online, following its online and offline events. */
function useOnline() {
  const [online, setOnline] = useState(() => navigator.onLine)
  useEffect(() => {
    const on = () => setOnline(true)
    const off = () => setOnline(false)
    window.addEventListener('online', on)
    window.addEventListener('offline', off)
    return () => {
      window.removeEventListener('online', on)
      window.removeEventListener('offline', off)
    }
  }, [])
  return online
}

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
  onProgress: (progress: StepProgress) => void,
) {
  const watched = useRef(creditedSec)
  const [watchedSec, setWatchedSec] = useState(creditedSec)
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
        setWatchedSec(Math.floor(watched.current))
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
      timer ??= setInterval(ping, pingEveryMs())
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

  return { watchedSec, blockedSeek, dismissSeek: () => setBlockedSeek(false) }
}

export function Html5Video({
  url,
  allowDownload = true,
  captions = [],
  onMedia,
}: {
  url: string
  allowDownload?: boolean
  /** WebVTT tracks the teacher uploaded, offered in the player's captions menu. */
  captions?: Caption[]
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
      // The video starts loading once the step is drawn: its first bytes and the controls it then lays out
      // would otherwise hold a slow phone's first paint back.
      destroy = afterNextPaint(() => {
        video.src = url
        onMedia(video)
      })
    }
    return () => {
      cancelled = true
      destroy()
      onMedia(null)
    }
  }, [url, onMedia])
  return (
    // biome-ignore lint/a11y/useMediaCaption: the tracks are the teacher's; a video may have none yet
    <video
      ref={ref}
      controls
      playsInline
      preload="metadata"
      // The school's choice: no "Download" in the controls or the context menu (a deterrent, not a lock).
      controlsList={allowDownload ? undefined : 'nodownload'}
      onContextMenu={allowDownload ? undefined : (e) => e.preventDefault()}
      style={{ width: '100%', background: '#000' }}
      aria-label={t('player.video')}
      data-testid="video"
    >
      {captions.map((c) => (
        <track key={c.url} kind="captions" src={c.url} srcLang={c.language} label={c.label} />
      ))}
    </video>
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

/**
 * The step's video with tracking, the speed choice (up to the course's maximum, remembered per course on the
 * device) and the skip guard. It resumes where the server's credit stops, and shows how much is credited.
 */
export function VideoPlayer({
  courseId,
  classId,
  playback,
  creditedSec,
  maxRate,
  allowDownload,
  captions,
  onProgress,
}: {
  courseId: string
  classId: string
  playback: Playback
  creditedSec: number
  maxRate: number
  allowDownload: boolean
  captions: Caption[]
  onProgress: (progress: StepProgress) => void
}) {
  const { t } = useTranslation()
  const online = useOnline()
  const [media, setMedia] = useState<MediaLike | null>(null)
  const [rate, setRate] = useState(() => storedRate(courseId, maxRate))
  const [credited, setCredited] = useState(creditedSec)
  const duration = playback.duration_sec
  // Resuming makes sense from a few seconds in, and not at the very end (the player would just stop).
  const [resumeAt] = useState(() => (creditedSec >= 1 && creditedSec < duration - 1 ? creditedSec : 0))
  const report = useCallback(
    (progress: StepProgress) => {
      setCredited((before) => Math.max(before, progress.video_position_sec))
      onProgress(progress)
    },
    [onProgress],
  )
  const { watchedSec, blockedSeek, dismissSeek } = useTracking(
    media,
    classId,
    creditedSec,
    maxRate,
    duration,
    report,
  )
  useEffect(() => {
    if (media) media.playbackRate = Number(rate)
  }, [media, rate])
  useEffect(() => {
    if (!media || resumeAt === 0) return
    media.currentTime = resumeAt
  }, [media, resumeAt])
  const chooseRate = (value: string) => {
    setRate(value)
    localStorage.setItem(rateKey(courseId), value)
  }
  const creditedRatio = duration > 0 ? Math.min(credited / duration, 1) : 0
  const watchedRatio = duration > 0 ? Math.min(Math.max(watchedSec, credited) / duration, 1) : 0
  return (
    <Stack gap="xs">
      {playback.source === 'url' ? (
        <Html5Video url={playback.url} allowDownload={allowDownload} captions={captions} onMedia={setMedia} />
      ) : (
        <StreamVideo id={playback.token ?? playback.uid} onMedia={setMedia} />
      )}
      <Stack gap={4}>
        <Progress.Root size="sm" aria-hidden>
          <Progress.Section value={creditedRatio * 100} color="sillon" />
          <Progress.Section value={(watchedRatio - creditedRatio) * 100} color="sillon.2" />
        </Progress.Root>
        <Text size="xs" c="dimmed" data-testid="video-credited">
          {t('player.video_credited', { credited: clockTime(credited), duration: clockTime(duration) })}
        </Text>
      </Stack>
      {resumeAt > 0 && (
        <Text size="sm" data-testid="video-resume">
          <IconPlayerPlay size={14} aria-hidden /> {t('player.resume_at', { time: clockTime(resumeAt) })}
        </Text>
      )}
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Text size="sm" c="dimmed">
          {t('player.video_hint')}
        </Text>
        <NativeSelect
          aria-label={t('player.speed')}
          size="xs"
          w={110}
          style={{ flexShrink: 0 }}
          data={RATES.filter((r) => r <= maxRate).map((r) => ({ value: String(r), label: `×${r}` }))}
          value={rate}
          onChange={(e) => chooseRate(e.currentTarget.value)}
        />
      </Group>
      {!online && (
        <Alert color="yellow" icon={<IconWifiOff />} role="status" data-testid="video-offline">
          {t('player.offline')}
        </Alert>
      )}
      {blockedSeek && (
        <Alert color="yellow" withCloseButton onClose={dismissSeek} closeButtonLabel={t('common.close')}>
          {t('player.no_skipping')}
        </Alert>
      )}
    </Stack>
  )
}
