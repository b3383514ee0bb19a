// Schemas of the developer API's keys (POST, GET /v1/me/api-keys, DELETE /v1/me/api-keys/{keyId}).
import * as z from '../zod';
import { API_KEY_MAX_LIFETIME_DAYS, API_KEY_SCOPES, API_KEYS_PER_ACCOUNT } from '../model/api-keys';
import { isoDateTime, line } from './common';

const Scope = /* @__PURE__ */ z.defineSchema(() => z.enum(API_KEY_SCOPES));

export const ApiKeyRequest = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    name: line(100).register(z.globalRegistry, { description: 'What the key is for, as its owner will recognise it in the list.' }),
    scopes: z.optional(
      z
        .array(Scope)
        .check(
          z.minLength(1),
          z.maxLength(3),
          z.refine((s) => new Set(s).size === s.length, { message: 'Name each scope once.' }),
        )
        .register(z.globalRegistry, {
          description:
            'What the key may reach: `calls:read` (the calls), `webhooks:manage` (webhook subscriptions), `tools:manage` (custom tools). Every scope when left out. A key creating a key may give it only scopes it has itself.',
        }),
    ),
    expiresAt: z.optional(
      z.iso.datetime({ offset: true }).check(z.maxLength(64)).register(z.globalRegistry, {
        description: `When the key stops working (RFC 3339): in the future, at most ${API_KEY_MAX_LIFETIME_DAYS} days ahead. Never, when left out.`,
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'ApiKeyRequest' }));

/** The fields of a key as its owner sees it (a function: schemas are built only where used). */
const keyFields = () => ({
  keyId: z.string().register(z.globalRegistry, { description: "The key's id (for `DELETE /v1/me/api-keys/{keyId}`)." }),
  name: z.string(),
  prefix: z.string().register(z.globalRegistry, { description: "The token's first 16 characters (`fon_live_` and 7 more): how to tell keys apart. The whole token is never shown again." }),
  scopes: z.array(Scope),
  createdAt: isoDateTime,
  expiresAt: z.nullable(isoDateTime).register(z.globalRegistry, { description: 'When the key stops working; null: never.' }),
  lastUsedAt: z.nullable(isoDateTime).register(z.globalRegistry, { description: 'The last request the key made, to the minute (it moves at most once a minute); null: none yet.' }),
});

export const ApiKey = /* @__PURE__ */ z.defineReply(() => z.object(keyFields()).register(z.globalRegistry, { id: 'ApiKey' }));

export const ApiKeyCreated = /* @__PURE__ */ z.defineReply(() => z
  .object({
    ...keyFields(),
    token: z.string().register(z.globalRegistry, {
      description: 'The whole token, `fon_live_` and 43 characters: send it as `Authorization: Bearer <token>`. Shown in this answer only; store it now.',
    }),
  })
  .register(z.globalRegistry, { id: 'ApiKeyCreated' }));

export const ApiKeyList = /* @__PURE__ */ z.defineReply(() => z
  .object({ items: z.array(ApiKey) })
  .register(z.globalRegistry, { id: 'ApiKeyList', description: `The account's keys (at most ${API_KEYS_PER_ACCOUNT}), newest first.` }));

export const ApiKeyPath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  keyId: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/, 'Must be a key id.')),
}));
