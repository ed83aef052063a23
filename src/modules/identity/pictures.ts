import type { Identity } from '../../core/http/context.ts'
import { AppError, badRequest, conflict, notFound } from '../../core/http/errors.ts'
import { newId } from '../../core/ids.ts'
import type { IdentityDeps } from './deps.ts'
import * as repo from './repository.ts'
import { describeMe } from './sessions/service.ts'

// A person's picture: one image file per account, in the file store under `pictures/<id>`, its address
// on the account (better-auth's `image` column). The address changes with every new picture, so a browser
// may keep one for as long as it likes.

/** The web app sends a 256 px square of a few dozen kilobytes; the limit leaves room for other clients. */
const PICTURE_MAX_BYTES = 2_000_000

const acceptedTypes = ['image/png', 'image/jpeg', 'image/webp']

/**
 * The image type that the first bytes announce, or null: the type the browser claims is not trusted, so
 * that nothing else (an HTML page, an SVG with a script) is ever served as a picture.
 */
function pictureType(bytes: Uint8Array): string | null {
  const starts = (signature: number[], at = 0) => signature.every((byte, i) => bytes[at + i] === byte)
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg'
  // RIFF, the chunk's size, then WEBP.
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  return null
}

const pictureKey = (pictureId: string) => `pictures/${pictureId}`
const pictureUrl = (userId: string, pictureId: string) => `/api/users/${userId}/picture/${pictureId}`

/** The id of the account's picture in the file store, when its `image` is one of Sillon's. */
function pictureIdOf(user: { id: string; image: string | null }): string | null {
  const prefix = `/api/users/${user.id}/picture/`
  if (!user.image?.startsWith(prefix)) return null
  const id = user.image.slice(prefix.length)
  return /^[A-Za-z0-9-]+$/.test(id) ? id : null
}

/** The file-store key of the account's picture, when it has one of Sillon's (erasure deletes the file). */
export function pictureFileOf(user: { id: string; image: string | null }): string | null {
  const id = pictureIdOf(user)
  return id ? pictureKey(id) : null
}

async function currentUser(deps: IdentityDeps, userId: string) {
  const user = await repo.getUser(deps.db, userId)
  if (!user) throw notFound('Account')
  return user
}

/**
 * Replaces the caller's picture with this PNG, JPEG or WebP file (judged by its first bytes, at most
 * PICTURE_MAX_BYTES), then deletes the previous one.
 */
export async function setPicture(deps: IdentityDeps, identity: Identity, file: File | null) {
  if (!file) throw badRequest('body_required', 'Send the picture as multipart/form-data, in the "file" field')
  if (file.size === 0) throw new AppError(400, 'empty_file', 'The file is empty')
  const limit = Math.min(PICTURE_MAX_BYTES, deps.uploadMaxBytes)
  if (file.size > limit) throw new AppError(413, 'file_too_large', `Pictures are limited to ${limit} bytes`)
  const bytes = new Uint8Array(await file.arrayBuffer())
  if (!pictureType(bytes)) {
    throw new AppError(415, 'unsupported_file_type', 'A picture must be a PNG, JPEG or WebP image', {
      accepted: acceptedTypes,
    })
  }
  const user = await currentUser(deps, identity.userId)
  const pictureId = newId()
  await deps.files.put(pictureKey(pictureId), bytes)
  await replaceImage(deps, user, pictureUrl(user.id, pictureId), pictureId)
  return describeMe(deps, identity)
}

/** Removes the caller's picture and its file; without one, nothing changes. */
export async function removePicture(deps: IdentityDeps, identity: Identity) {
  const user = await currentUser(deps, identity.userId)
  if (user.image !== null) await replaceImage(deps, user, null, null)
  return describeMe(deps, identity)
}

/**
 * Sets the account's `image` if it is still the one read, then deletes the file it named. A concurrent
 * change wins: this one's new file is deleted instead and the caller asked to try again.
 */
async function replaceImage(
  deps: IdentityDeps,
  user: { id: string; image: string | null },
  image: string | null,
  newPictureId: string | null,
) {
  let replaced = false
  try {
    replaced = await repo.replaceUserImage(
      deps.db,
      user.id,
      user.image,
      image,
      deps.clock.now().toISOString(),
    )
  } finally {
    if (!replaced && newPictureId) await deps.files.delete(pictureKey(newPictureId))
  }
  if (!replaced) throw conflict('picture_changed', 'Your picture changed meanwhile: try again')
  const previous = pictureIdOf(user)
  if (previous) await deps.files.delete(pictureKey(previous))
}

/**
 * A person's picture, for themselves, for the members of a school they belong to, and for platform
 * administrators; anyone else, and an old picture's address, get 404.
 */
export async function readPicture(deps: IdentityDeps, caller: Identity, userId: string, pictureId: string) {
  const user = await repo.getUser(deps.db, userId)
  if (!user || pictureIdOf(user) !== pictureId) throw notFound('Picture')
  const visible =
    caller.userId === userId ||
    caller.isSuperadmin ||
    (await repo.shareAnOrganisation(deps.db, caller.userId, userId))
  if (!visible) throw notFound('Picture')
  const data = await deps.files.get(pictureKey(pictureId))
  const type = data && pictureType(data)
  if (!data || !type) throw notFound('Picture')
  return { data, type }
}
