// Schemas of the customer portal's /v1/me routes.
import * as z from '../zod';
import { TRANSCRIPT_STORAGE } from '../config/retention';
import { Assistant } from './assistant';
import { Subscription } from './billing';
import { Integration } from './integrations';
import { isoDateTime } from './common';
import { HotlineMembership } from './hotlines';

export const Settings = /* @__PURE__ */ z.defineReply(() => z
  .object({
    userId: z.string(),
    email: z.nullable(z.string()).register(z.globalRegistry, {
      description: 'The address in use: where call summaries and security notices go once it is verified.',
    }),
    emailVerified: z.boolean().register(z.globalRegistry, {
      description: 'Whether `email` is verified (Auth0 said so, or its confirmation link was used). Mail about the account goes only to a verified address.',
    }),
    pendingEmail: z
      .nullable(
        z.object({
          email: z.string(),
          expiresAt: isoDateTime,
        }),
      )
      .register(z.globalRegistry, {
        description: "An address entered in the settings and not yet confirmed: a link went to it, which works until `expiresAt`; until it is used, `email` stays in use.",
      }),
    name: z.nullable(z.string()),
    timezone: z.string(),
    locale: z.string(),
    role: z.enum(['owner', 'member']),
    callRetentionDays: z.int().register(z.globalRegistry, {
      description: "Days each call is kept after it started (the account's choice, else the stage's default).",
    }),
    transcriptStorage: z.enum(TRANSCRIPT_STORAGE).register(z.globalRegistry, {
      description: 'What of each new call is stored: `full`, `summary-only` or `none` (PATCH /v1/me/settings says what each keeps).',
    }),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'Settings' }));

export const Profile = /* @__PURE__ */ z.defineReply(() => z
  .object({
    settings: Settings,
    subscription: z.nullable(Subscription),
    assistant: z.nullable(Assistant),
    integrations: z.array(Integration),
    referral: z.nullable(z.object({ partnerId: z.string(), referredAt: isoDateTime })),
    devicesCount: z.int().check(z.nonnegative()),
    hotlines: z.nullable(HotlineMembership),
    isAdmin: z.boolean(),
  })
  .register(z.globalRegistry, { id: 'Profile' }));
