// Schemas of the admin dashboard's /v1/admin routes.
import * as z from '../zod';
import { TRANSCRIPT_STORAGE } from '../config/retention';
import { LOCALES } from '../model/locale';
import { Email, isoDateTime, line, pageCursor, pageLimit } from './common';

export const POOL_STATUSES = ['free', 'assigned'] as const;

export const ListPoolNumbersQuery = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  limit: pageLimit(25),
  cursor: z.optional(pageCursor('with the same `status`')),
  status: z.optional(
    z.enum(POOL_STATUSES).register(z.globalRegistry, { description: 'Only the free, or only the assigned numbers.' }),
  ),
}));

const E164 = /* @__PURE__ */ z.defineReply(() => z.string().check(z.regex(/^\+[1-9][0-9]{1,14}$/)).register(z.globalRegistry, {
  description: 'The number in E.164.',
  examples: ['+4921155590001'],
}));

export const PoolNumber = /* @__PURE__ */ z.defineReply(() => z
  .object({
    number: E164,
    status: z.enum(POOL_STATUSES),
    /** The customer (Auth0 user id) it is assigned to; null while free. */
    userId: z.nullable(z.string()),
    assignedAt: z.nullable(isoDateTime),
    importedAt: isoDateTime,
    /** Sipgate's id of the number on Fonella's account. */
    sipgateNumberId: z.string(),
  })
  .register(z.globalRegistry, {
    id: 'PoolNumber',
    description: 'A number of Fonella\'s pool: free, or assigned to a customer (`userId`, since `assignedAt`).',
  }));

export const PoolNumberPage = /* @__PURE__ */ z.defineReply(() => z
  .object({
    items: z.array(PoolNumber),
    nextCursor: z.nullable(z.string()).register(z.globalRegistry, {
      description: 'Pass it as `cursor` for the next page; null on the last page.',
    }),
  })
  .register(z.globalRegistry, { id: 'PoolNumberPage' }));

export const PoolImportResult = /* @__PURE__ */ z.defineReply(() => z
  .object({
    imported: z.array(E164).register(z.globalRegistry, { description: 'The trunk numbers this import added to the pool (free), by number.' }),
    alreadyInPool: z.int().check(z.nonnegative()).register(z.globalRegistry, {
      description: 'Trunk numbers the pool had already; they were left as they are (an assigned one stays assigned).',
    }),
    total: z.int().check(z.nonnegative()).register(z.globalRegistry, {
      description: 'The numbers routed to the trunk on the Sipgate account now: `imported` and `alreadyInPool` together.',
    }),
  })
  .register(z.globalRegistry, { id: 'PoolImportResult' }));

// --- Hotline numbers ---

export const HOTLINE_NUMBER_STATUSES = ['free', 'assigned'] as const;

const AreaCode = /* @__PURE__ */ z.defineSchema(() => z.string().check(z.maxLength(7), z.regex(/^0?[1-9][0-9]{1,5}$/, 'Must be an area code, e.g. 030.')));

export const ListHotlineNumbersQuery = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  limit: pageLimit(25),
  cursor: z.optional(pageCursor('with the same `status` and `areaCode`')),
  status: z.optional(
    z.enum(HOTLINE_NUMBER_STATUSES).register(z.globalRegistry, { description: 'Only the free, or only the assigned numbers.' }),
  ),
  areaCode: z.optional(
    AreaCode.clone().register(z.globalRegistry, {
      description: 'Only the numbers of this area code (leading zeros do not matter: `030` and `30` are one area).',
      examples: ['030'],
    }),
  ),
}));

export const HotlineNumber = /* @__PURE__ */ z.defineReply(() => z
  .object({
    number: E164,
    localized: z.string().register(z.globalRegistry, { description: "Sipgate's national form; its first group is the area code.", examples: ['030 23125001'] }),
    countryCode: z.string().register(z.globalRegistry, { description: 'The country calling code.', examples: ['49'] }),
    areaCode: z.string().register(z.globalRegistry, { description: 'The area code, without leading zeros.', examples: ['30'] }),
    status: z.enum(HOTLINE_NUMBER_STATUSES),
    hotlineId: z.nullable(z.int()).register(z.globalRegistry, { description: 'The hotline it is assigned to; null while free.' }),
    organizationId: z.nullable(z.int()).register(z.globalRegistry, { description: "The hotline's organisation; null while free." }),
    assignedAt: z.nullable(isoDateTime),
    importedAt: isoDateTime,
    /** Sipgate's id of the number on Fonella's account. */
    sipgateNumberId: z.string(),
  })
  .register(z.globalRegistry, {
    id: 'HotlineNumber',
    description: "A local number of the hotline pool: free, or assigned to a hotline (`hotlineId`, of `organizationId`, since `assignedAt`).",
  }));

export const HotlineNumberPage = /* @__PURE__ */ z.defineReply(() => z
  .object({
    items: z.array(HotlineNumber),
    nextCursor: z.nullable(z.string()).register(z.globalRegistry, {
      description: 'Pass it as `cursor` for the next page; null on the last page.',
    }),
  })
  .register(z.globalRegistry, { id: 'HotlineNumberPage' }));

export const HotlineImportResult = /* @__PURE__ */ z.defineReply(() => z
  .object({
    imported: z.array(E164).register(z.globalRegistry, { description: 'The hotline trunk numbers this import added to the pool (free), by number.' }),
    alreadyInPool: z.int().check(z.nonnegative()).register(z.globalRegistry, {
      description: 'Hotline trunk numbers the pool had already; they were left as they are (an assigned one stays assigned).',
    }),
    total: z.int().check(z.nonnegative()).register(z.globalRegistry, {
      description: 'The numbers routed to the hotline trunk on the Sipgate account now, with an area code: `imported` and `alreadyInPool` together.',
    }),
    assigned: z
      .array(z.object({ hotlineId: z.int(), organizationId: z.int(), number: E164 }))
      .register(z.globalRegistry, {
        description: 'Hotlines that were waiting for a number in its area and got one now (first created first, one each); each is provisioned next and becomes active.',
      }),
  })
  .register(z.globalRegistry, { id: 'HotlineImportResult' }));

// --- Partners ---

export const PARTNER_STATUSES = ['invited', 'active', 'disabled'] as const;

// Hundredths at most: a float such as 5e-324 would pass `multipleOf` and be refused by the table.
const CommissionPercent = /* @__PURE__ */ z.defineSchema(() => z.number().check(
  z.gte(0),
  z.lte(100),
  z.multipleOf(0.01),
  z.refine((v) => Math.round(v * 100) / 100 === v, { message: 'At most two decimals.' }),
).register(z.globalRegistry, {
  description: "The partner's commission on their referred customers' payments, in percent (0 to 100, at most two decimals).",
  examples: [20],
}));

export const InvitePartnerBody = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    name: line(120).register(z.globalRegistry, { description: "The partner's name (a person or a company), one line." }),
    email: Email.clone().register(z.globalRegistry, { description: 'Where the invite goes.' }),
    commissionPercent: CommissionPercent,
    locale: z.optional(z.enum(LOCALES).register(z.globalRegistry, { description: "The language of the partner's emails (German unless given)." })),
  })
  .register(z.globalRegistry, { id: 'InvitePartner' }));

export const UpdatePartnerBody = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    commissionPercent: z.optional(CommissionPercent),
    status: z.optional(z.enum(['active', 'disabled']).register(z.globalRegistry, { description: '`disabled` stops the partner\'s referrals and portal access; `active` allows them again.' })),
  })
  .check(
    z.refine((body) => Object.keys(body).length > 0, {
      message: 'Send at least one field to change: commissionPercent, status.',
      when: (payload) => payload.issues.length === 0,
    }),
  )
  .register(z.globalRegistry, { id: 'UpdatePartner', minProperties: 1 }));

export const PartnerPath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  partnerId: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9_-]+$/, 'Must be a partner id.')),
}));

export const ListPartnersQuery = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  limit: pageLimit(25),
  cursor: z.optional(pageCursor()),
}));

export const Partner = /* @__PURE__ */ z.defineReply(() => z
  .object({
    partnerId: z.string(),
    name: z.string(),
    email: z.string(),
    commissionPercent: z.number(),
    status: z.enum(PARTNER_STATUSES),
    publicCode: z.string().register(z.globalRegistry, { description: 'The public referral code (`?ref=<code>` on the marketing site).' }),
    inviteExpiresAt: z.nullable(isoDateTime).register(z.globalRegistry, { description: 'While invited: when the invite link stops working.' }),
    inviteSentAt: z.nullable(isoDateTime),
    activated: z.boolean().register(z.globalRegistry, { description: 'Whether the partner has activated their account (an Auth0 user is linked).' }),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'Partner' }));

export const PartnerPage = /* @__PURE__ */ z.defineReply(() => z
  .object({
    items: z.array(Partner),
    nextCursor: z.nullable(z.string()).register(z.globalRegistry, { description: 'Pass it as `cursor` for the next page; null on the last page.' }),
  })
  .register(z.globalRegistry, { id: 'PartnerPage' }));

// --- Customers ---

export const ListCustomersQuery = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  limit: z
    ._default(
      z.pipe(
        z.string().check(z.maxLength(3), z.regex(/^(100|2[5-9]|[3-9][0-9])$/, 'Must be an integer from 25 to 100.')),
        z.transform((s) => Number(s)),
      ),
      25,
    )
    .register(z.globalRegistry, { description: 'Customers per page, 25 to 100 (default 25).', examples: ['25'] }),
  cursor: z.optional(pageCursor('with the same `q`')),
  q: z.optional(
    line(100).register(z.globalRegistry, {
      description:
        'Search: customers with a word (of their email, name or company) starting with each word of `q`; any case, accents and umlauts folded (`muller`, `mueller` and `MÜL` find Müller).',
      examples: ['müller'],
    }),
  ),
}));

export const Customer = /* @__PURE__ */ z.defineReply(() => z
  .object({
    userId: z.string(),
    email: z.nullable(z.string()).register(z.globalRegistry, { description: 'From the settings (Auth0\'s address cached there); null for a customer with only a subscription.' }),
    name: z.nullable(z.string()),
    company: z.nullable(z.string()),
    retention: z
      .object({
        callRetentionDays: z.int(),
        transcriptStorage: z.enum(TRANSCRIPT_STORAGE),
        chosen: z.boolean().register(z.globalRegistry, { description: "Whether the customer chose either setting; false: both are the stage's defaults." }),
      })
      .register(z.globalRegistry, {
        description: "The customer's privacy settings (PATCH /v1/me/settings): days each call is kept, and what of a call is stored.",
      }),
    createdAt: isoDateTime.clone().register(z.globalRegistry, { description: 'When the customer came: the earlier creation of their settings and subscription.' }),
    subscription: z.nullable(
      z.object({
        planId: z.nullable(z.string()),
        status: z.nullable(z.string()).register(z.globalRegistry, { description: "Stripe's status; null while the subscription is being created." }),
      }),
    ),
    apiKeys: z.int().register(z.globalRegistry, { description: 'How many developer API keys the account holds now (never the keys).' }),
  })
  .register(z.globalRegistry, { id: 'Customer' }));

export const CustomerPage = /* @__PURE__ */ z.defineReply(() => z
  .object({
    items: z.array(Customer),
    nextCursor: z.nullable(z.string()).register(z.globalRegistry, {
      description: 'Pass it as `cursor` (with the same `q`) for the next page; null on the last page. A search page may hold fewer items than `limit` and still have one: it reads a bounded part of the index per request.',
    }),
  })
  .register(z.globalRegistry, { id: 'CustomerPage' }));

// --- Stats ---

export const StatsQuery = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  refresh: z.optional(z.enum(['1', 'true']).register(z.globalRegistry, { description: 'Compute the figures now instead of answering a snapshot of up to an hour.' })),
}));

// Built with the reply that uses them (`AdminStats`), not at load.
const count = () => z.int().check(z.nonnegative());
const statsFigures = () => ({
  month: z.string().check(z.regex(/^\d{4}-\d\d$/)).register(z.globalRegistry, { description: 'The month (UTC), YYYY-MM.' }),
  customers: z.int().register(z.globalRegistry, { description: 'Customers (settings or a subscription) at the month\'s end; for the KPIs, now.' }),
  activeSubscriptions: z.object({
    total: z.int(),
    byPlan: z.record(z.string(), z.int()).register(z.globalRegistry, { description: 'Subscriptions in force (active, trialing, past due), by plan id.' }),
  }),
  mrrCents: z.int().register(z.globalRegistry, { description: 'Monthly recurring revenue: the subscriptions in force times their plan\'s monthly price, in cents of `currency`.' }),
  signups: count().register(z.globalRegistry, { description: 'Customers who came that month.' }),
  calls: count().register(z.globalRegistry, { description: 'Calls the assistants took that month (by their start).' }),
  minutes: count().register(z.globalRegistry, { description: 'Their minutes, rounded.' }),
});

export const AdminStats = /* @__PURE__ */ z.defineReply(() => {
  const figures = statsFigures();
  return z.object({
    computedAt: isoDateTime.clone().register(z.globalRegistry, { description: 'When the figures were computed; a snapshot is answered for up to an hour.' }),
    currency: z.string(),
    kpis: z.object(figures).register(z.globalRegistry, { description: 'The current month: customers and subscriptions now, sign-ups, calls and minutes so far.' }),
    series: z.array(z.object(figures)).register(z.globalRegistry, { description: 'The last twelve months, oldest first; the last is the current month.' }),
  }).register(z.globalRegistry, { id: 'AdminStats' });
});
