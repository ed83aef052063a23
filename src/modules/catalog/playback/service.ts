import { parseJson } from '../../../core/db/json.ts'
import { AppError, notFound } from '../../../core/http/errors.ts'
import type { Actor, CatalogDeps } from '../deps.ts'
import type { Video } from '../rules/steps.ts'
import { loadClass } from '../steps/service.ts'

// Playback

const PLAYBACK_TOKEN_TTL_SECONDS = 60 * 60

export type Playback =
  | { source: 'url'; url: string; duration_sec: number }
  | {
      source: 'stream'
      uid: string
      duration_sec: number
      token: string | null
      token_expires_at: string | null
    }

/**
 * How to play a step's video. A private Stream video comes with a signed token (valid one hour) that
 * replaces the uid in Stream's player URLs; without a configured signing key it cannot be played.
 */
export async function playbackOf(deps: CatalogDeps, video: Video): Promise<Playback> {
  if (video.source === 'url') return video
  if (!video.requires_signed_urls) {
    return {
      source: 'stream',
      uid: video.uid,
      duration_sec: video.duration_sec,
      token: null,
      token_expires_at: null,
    }
  }
  if (!deps.streamSigner) {
    throw new AppError(
      503,
      'stream_signing_not_configured',
      'This private Stream video needs CLOUDFLARE_STREAM_SIGNING_KEY_ID and CLOUDFLARE_STREAM_SIGNING_KEY_PEM',
    )
  }
  const token = await deps.streamSigner.playbackToken(video.uid, PLAYBACK_TOKEN_TTL_SECONDS)
  const expires = new Date(deps.clock.now().getTime() + PLAYBACK_TOKEN_TTL_SECONDS * 1000).toISOString()
  return {
    source: 'stream',
    uid: video.uid,
    duration_sec: video.duration_sec,
    token,
    token_expires_at: expires,
  }
}

/** Lets course authors preview a step's video, private Stream videos included. */
export async function previewPlayback(deps: CatalogDeps, actor: Actor, classId: string) {
  const row = await loadClass(deps, actor.orgId, classId)
  const video = parseJson<Video | null>(row.video_json, null)
  if (!video) throw notFound('Video of this step')
  return playbackOf(deps, video)
}
