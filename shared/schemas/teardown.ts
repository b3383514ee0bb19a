// Schemas of account deletion: DELETE /v1/me, DELETE /v1/admin/users/{userId} and the teardown's progress.
import * as z from '../zod';
import { isoDateTime } from './common';
import { freeFormBody } from './free-form';

export const UserPath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  userId: z.string().check(
    z.minLength(1),
    z.maxLength(200),
    z.regex(/^[\x21-\x7e]+$/, 'Must be a user id (printable ASCII, no spaces).'),
  ).register(z.globalRegistry, { description: "The user's Auth0 id, URL-encoded (`auth0%7C...`).", examples: ['auth0|6571c0ffee'] }),
}));

export const Teardown = /* @__PURE__ */ z.defineReply(() => z
  .object({
    teardownId: z.string(),
    userId: z.string(),
    status: z.enum(['running', 'done']),
    requestedAt: isoDateTime,
    completedAt: z.nullable(isoDateTime),
    steps: z.array(z.object({ name: z.string(), doneAt: z.nullable(isoDateTime) })).register(z.globalRegistry, {
      description: 'The steps in the order they run, each with when it was done.',
    }),
    members: z.array(z.object({ userId: z.string(), doneAt: z.nullable(isoDateTime) })).register(z.globalRegistry, {
      description: "Team members torn down with the account, each with when their own teardown finished (the owner's finishes after them).",
    }),
    resources: z
      .array(z.object({ provider: z.enum(['stripe', 'vapi', 'sipgate', 'table', 'auth0']), kind: z.string(), id: z.string() }))
      .register(z.globalRegistry, { description: 'What the account held when the teardown was asked for; empty once it is done (the tombstone keeps none of it).' }),
  })
  .register(z.globalRegistry, {
    id: 'Teardown',
    description: "An account's deletion: its steps, done one after the other by a stream worker, and the resources it removes.",
  }));

/** DELETE /v1/me: a free-form body, as the existing clients send one (`{}`); nothing in it is used. */
export const AccountDeletionRequest = /* @__PURE__ */ z.defineSchema(() => freeFormBody('AccountDeletionRequest', {}, 'Optional and free-form; accepted and ignored.'));
