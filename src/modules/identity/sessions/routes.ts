import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../../../core/http/context.ts'
import { defineRoute } from '../../../core/http/router.ts'
import { ErrorSchema, errorResponses, json } from '../../../core/http/schemas.ts'
import type { IdentityDeps } from '../deps.ts'
import * as pictures from '../pictures.ts'
import { identityOf, withCookies } from '../route-access.ts'
import * as s from '../schemas.ts'
import * as service from './service.ts'

/** Sessions: signing in and out, the signed-in account (profile, password, picture), the active organisation. */
export function registerSessionRoutes(app: OpenAPIHono<AppEnv>, deps: IdentityDeps) {
  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/auth/login',
      operationId: 'signIn',
      tags: ['Sessions'],
      summary: 'Sign in with e-mail and password (sets the session cookie)',
      access: 'public',
      request: { body: { ...json(s.LoginBody), required: true } },
      responses: { 200: { description: 'Signed in', ...json(s.MeSchema) }, ...errorResponses(400, 401, 429) },
    }),
    async (c) => {
      const { identity, setCookies } = await service.login(deps, c, c.req.valid('json'))
      withCookies(c, setCookies)
      return c.json(await service.describeMe(deps, identity), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/auth/logout',
      operationId: 'signOut',
      tags: ['Sessions'],
      summary: 'End the browser session',
      access: 'authenticated',
      responses: { 204: { description: 'Signed out' }, ...errorResponses(401) },
    }),
    async (c) => {
      withCookies(c, await service.logout(deps, c))
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/auth/me',
      tags: ['Sessions'],
      summary: 'The caller, their active organisation, role and profiles',
      access: 'authenticated',
      responses: { 200: { description: 'The caller', ...json(s.MeSchema) }, ...errorResponses(401) },
    }),
    async (c) => c.json(await service.describeMe(deps, identityOf(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/api/auth/me',
      tags: ['Sessions'],
      summary: 'Change your name or interface language',
      access: 'authenticated',
      request: { body: { ...json(s.UpdateMeBody), required: true } },
      responses: { 200: { description: 'Updated', ...json(s.MeSchema) }, ...errorResponses(400, 401) },
    }),
    async (c) => c.json(await service.updateProfile(deps, identityOf(c), c.req.valid('json')), 200),
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/auth/password',
      operationId: 'changePassword',
      tags: ['Sessions'],
      summary: 'Change your password (signs out your other sessions unless told not to)',
      access: 'authenticated',
      request: { body: { ...json(s.ChangePasswordBody), required: true } },
      responses: { 204: { description: 'Changed' }, ...errorResponses(400, 401, 429) },
    }),
    async (c) => {
      withCookies(c, await service.changePassword(deps, c, identityOf(c), c.req.valid('json')))
      return c.body(null, 204)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/auth/me/picture',
      operationId: 'setMyPicture',
      tags: ['Sessions'],
      summary: 'Set your picture (multipart: file, a PNG, JPEG or WebP image of 2 MB or less)',
      description:
        'The type is judged by the first bytes of the file, not by what the client says: anything else is ' +
        'refused with 415 `unsupported_file_type`. The previous picture is deleted. The picture is served ' +
        'at `user.image` to the members of the schools the person belongs to.',
      access: 'authenticated',
      // Not "required": a request without the form is answered body_required, as the other uploads are.
      request: {
        body: { content: { 'multipart/form-data': { schema: s.PictureUploadForm } }, required: false },
      },
      responses: {
        200: { description: 'Set', ...json(s.MeSchema) },
        415: { description: 'Not a PNG, JPEG or WebP image', ...json(ErrorSchema) },
        ...errorResponses(400, 401, 409, 413),
      },
    }),
    async (c) => {
      const multipart = (c.req.header('content-type') ?? '').startsWith('multipart/form-data')
      const form = multipart ? c.req.valid('form') : null
      return c.json(await pictures.setPicture(deps, identityOf(c), form?.file ?? null), 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/api/auth/me/picture',
      operationId: 'removeMyPicture',
      tags: ['Sessions'],
      summary: 'Remove your picture (and its file)',
      access: 'authenticated',
      responses: { 200: { description: 'Removed', ...json(s.MeSchema) }, ...errorResponses(401, 409) },
    }),
    async (c) => c.json(await pictures.removePicture(deps, identityOf(c)), 200),
  )

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/api/users/{user_id}/picture/{picture_id}',
      operationId: 'getPicture',
      tags: ['Sessions'],
      summary: "A person's picture, for the members of a school they belong to",
      access: 'authenticated',
      request: { params: s.PictureParams },
      responses: {
        200: {
          description: 'The image',
          content: {
            'image/png': { schema: { type: 'string', format: 'binary' } },
            'image/jpeg': { schema: { type: 'string', format: 'binary' } },
            'image/webp': { schema: { type: 'string', format: 'binary' } },
          },
        },
        ...errorResponses(401, 404),
      },
    }),
    async (c) => {
      const { user_id, picture_id } = c.req.valid('param')
      const picture = await pictures.readPicture(deps, identityOf(c), user_id, picture_id)
      c.header('Content-Type', picture.type)
      c.header('X-Content-Type-Options', 'nosniff')
      c.header('Content-Security-Policy', "default-src 'none'; sandbox")
      // A new picture gets a new address, so this one never changes; only the browser keeps it.
      c.header('Cache-Control', 'private, max-age=31536000, immutable')
      return c.body(picture.data as Uint8Array<ArrayBuffer>, 200)
    },
  )

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/api/auth/organisation',
      operationId: 'switchOrganisation',
      tags: ['Sessions'],
      summary: 'Switch the active organisation (members of several)',
      access: 'authenticated',
      request: { body: { ...json(s.SwitchOrganisationBody), required: true } },
      responses: { 200: { description: 'Switched', ...json(s.MeSchema) }, ...errorResponses(400, 401, 404) },
    }),
    async (c) => {
      const switched = await service.switchOrganisation(deps, identityOf(c), c.req.valid('json').org_id)
      return c.json(await service.describeMe(deps, switched), 200)
    },
  )
}
