// Schemas of the customer portal's /v1/me routes.
import * as z from '../zod';
import { Assistant } from './assistant';
import { Subscription } from './billing';
import { Integration } from './integrations';
import { isoDateTime } from './common';
import { HotlineMembership } from './hotlines';

export const Settings = z
  .object({
    userId: z.string(),
    email: z.nullable(z.string()),
    name: z.nullable(z.string()),
    timezone: z.string(),
    locale: z.string(),
    role: z.enum(['owner', 'member']),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'Settings' });

export const Profile = z
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
  .register(z.globalRegistry, { id: 'Profile' });
