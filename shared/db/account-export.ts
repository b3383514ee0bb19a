// What an account's data export holds (shared/domain/data-export.ts writes it): a list of sections,
// each a small function that reads one kind of row, from the account's partition (read once,
// strongly consistent) or from where the kind lives, and gives it as the customer may read it. A kind
// of row added later joins the export by adding its section here.
//
// No section answers a secret: the rows they read keep none in clear (passwords go to the providers,
// tokens are stored as hashes, bank details sealed), and each section leaves out what is ours alone
// (keys, hashes, provider marks); `withoutSecrets` then drops any field named like a secret, whatever
// section it came from.
import { AGENT_PHONE_SK_PREFIX } from './agent-phones';
import { API_KEY_SK_PREFIX } from './api-keys';
import { ASSISTANT_SK } from './assistants';
import { CALL_DELETION_KEYS } from './call-deletions';
import { CALL_REPORT_KEYS } from './call-reports';
import { CALL_KEYS } from './calls';
import type { TableRef } from './client';
import { DEVICE_SK_PREFIX } from './devices';
import { EXPORT_KEYS } from './exports';
import { hotlinesRepository } from './hotlines';
import { INTEGRATION_SK_PREFIX } from './keys';
import { NUMBER_RELEASE_KEYS } from './number-releases';
import { HOTLINE_USER_SK, MEMBERSHIP_SK_PREFIX, organizationsRepository } from './organizations';
import { PARTNER_LINK_SK, REFERRAL_SK } from './partner-accounts';
import { PAYMENT_FAILURE_KEYS } from './payment-failures';
import { SUBSCRIPTION_SK } from './subscriptions';
import { TOOL_CALL_SK_PREFIX } from './tool-calls';
import { TOOL_SK_PREFIX } from './tools';
import type { PartitionRow } from './teardowns';
import { SETTINGS_SK } from './users';
import { WEBHOOK_SK_PREFIX } from './webhook-subscriptions';

export interface ExportContext {
  t: TableRef;
  userId: string;
  /** The account's partition, read once for every section. */
  partition: PartitionRow[];
  now: Date;
}

export interface ExportSection {
  /** The section's key in the document. */
  name: string;
  /** What it holds, as the document's `sections` index says it. */
  describes: string;
  read(ctx: ExportContext): Promise<unknown>;
}

type Row = Record<string, unknown>;

/** Fields of ours alone: keys, index attributes, the entity name, and the marks of our own work. */
const INTERNAL = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'version']);

/** Any field whose name says it holds a secret (a password, token, key, hash or sealed value). */
const SECRET_NAME = /password|secret|token|hash|sealed|apikey|private|signature|credential(?!id)/i;

/** `value` without internal fields, and without any field named like a secret, at any depth; `ttl` becomes `deletedAfter`. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: Row = {};
  for (const [k, v] of Object.entries(value as Row)) {
    if (INTERNAL.has(k) || SECRET_NAME.test(k)) continue;
    if (k === 'ttl' && typeof v === 'number') out.deletedAfter = new Date(v * 1000).toISOString();
    else out[k] = withoutSecrets(v);
  }
  return out;
}

const one = (sk: string) => (ctx: ExportContext) => Promise.resolve(ctx.partition.find((r) => r.sk === sk) ?? null);
const all = (prefix: string, keep: (r: Row) => boolean = () => true) => (ctx: ExportContext) =>
  Promise.resolve(ctx.partition.filter((r) => r.sk.startsWith(prefix) && keep(r)));
const omit = (row: Row | null, fields: string[]) => (row ? Object.fromEntries(Object.entries(row).filter(([k]) => !fields.includes(k))) : null);

/** A call the customer still sees: not past its TTL, not being deleted. */
const liveCall = (now: Date) => (r: Row) => !r.deletionRequestedAt && (typeof r.ttl !== 'number' || r.ttl > Math.floor(now.getTime() / 1000));

/** The hotline organisations the user administers (accepted admin memberships). */
const administered = (ctx: ExportContext) =>
  ctx.partition
    .filter((r) => r.sk.startsWith(MEMBERSHIP_SK_PREFIX) && r.role === 'admin' && r.status !== 'invited')
    .map((r) => Number(r.organizationID))
    .filter(Number.isInteger);

/** At most this many of each hotline's call logs (newest first): the export names it when there are more. */
const HOTLINE_LOGS_MAX = 1000;

export const EXPORT_SECTIONS: ExportSection[] = [
  {
    name: 'settings',
    describes: 'Name, email addresses, time zone, language, call retention and what of a call is kept.',
    read: async (ctx) => omit(await one(SETTINGS_SK)(ctx), ['pendingEmailMailId', 'callRedating']),
  },
  { name: 'subscription', describes: 'The subscription: plan, status, period, a scheduled plan change, Stripe ids.', read: one(SUBSCRIPTION_SK) },
  { name: 'paymentFailures', describes: 'Failed subscription payments, one per invoice.', read: all(PAYMENT_FAILURE_KEYS.sk) },
  { name: 'numberReleases', describes: "Announced releases of the pool number at a period's end.", read: all(NUMBER_RELEASE_KEYS.sk) },
  { name: 'assistant', describes: "The voice assistant's configuration: greeting, language, its Vapi id.", read: one(ASSISTANT_SK) },
  { name: 'phoneLines', describes: 'The phone lines ringing the assistant (pool number, Sipgate line, own SIP trunk), without SIP passwords.', read: all(INTEGRATION_SK_PREFIX) },
  {
    name: 'devices',
    describes: 'Device sessions: browser or app, platform, first and last seen. Push tokens are left out.',
    read: async (ctx) => (await all(DEVICE_SK_PREFIX)(ctx)).map((r) => omit(r, ['pushToken'])),
  },
  {
    name: 'calls',
    describes: "The calls the assistant took: caller, times, duration, summary, transcript and recording link as the account's transcript storage kept them, and when each is deleted.",
    read: (ctx) => all(CALL_KEYS.sk, liveCall(ctx.now))(ctx),
  },
  { name: 'callReports', describes: 'Calls the customer reported for review, with what they wrote.', read: all(CALL_REPORT_KEYS.sk) },
  { name: 'callDeletions', describes: 'Calls whose deletion was asked for and is still under way.', read: all(CALL_DELETION_KEYS.sk) },
  {
    name: 'referral',
    describes: 'The partner who referred the customer, and a partner account the customer activated.',
    read: async (ctx) => ({ referredBy: await one(REFERRAL_SK)(ctx), partnerAccount: await one(PARTNER_LINK_SK)(ctx) }),
  },
  {
    name: 'apiKeys',
    describes: "The developer API's keys: name, the token's first 16 characters, scopes, created, expiry. Never the token, nor its hash.",
    read: async (ctx) => (await all(API_KEY_SK_PREFIX)(ctx)).map((r) => omit(r, ['tokenHash'])),
  },
  {
    name: 'webhookEndpoints',
    describes: 'The webhook endpoints: URL, event types, enabled or disabled, description. Never their signing secrets.',
    read: async (ctx) => (await all(WEBHOOK_SK_PREFIX)(ctx)).map((r) => omit(r, ['secret', 'previousSecret', 'previousSecretExpiresAt'])),
  },
  {
    name: 'tools',
    describes: "The custom tools: name, description, parameters, URL, timeout, spoken messages. Never their signing secrets.",
    read: async (ctx) => (await all(TOOL_SK_PREFIX)(ctx)).map((r) => omit(r, ['secret', 'secretHint'])),
  },
  {
    name: 'toolCalls',
    describes: 'Each custom tool call during a call: the tool, when, how long, how it ended (never the arguments or answers), and when it is deleted.',
    read: (ctx) => all(TOOL_CALL_SK_PREFIX, liveCall(ctx.now))(ctx),
  },
  { name: 'exports', describes: "Earlier data exports: when they were made and when their files go (the files' links are not part of it).", read: all(EXPORT_KEYS.sk) },
  {
    name: 'hotlines',
    describes:
      "The hotline service: the customer's hotline user, memberships and invitations, agent phones; for each organisation the customer administers its profile, SIP account address, members (by id), hotlines and their call logs.",
    async read(ctx) {
      const orgs = organizationsRepository(ctx.t);
      const hotlines = hotlinesRepository(ctx.t);
      const organizations = [];
      for (const organizationID of administered(ctx)) {
        const org = await orgs.organizationForExport(organizationID);
        const lines = (await hotlines.pageByOrganization(organizationID, { limit: 100, offset: 0 })).items;
        const withLogs = [];
        for (const line of lines) {
          const logs = await hotlines.pageLogs(line.id, { limit: HOTLINE_LOGS_MAX, offset: 0 });
          withLogs.push({ ...omit(line as unknown as Row, ['carrierSid', 'applicationSid', 'phoneNumberSid']), callLogs: logs.items, callLogsTotal: logs.total });
        }
        organizations.push({ ...org, hotlines: withLogs });
      }
      return {
        user: await one(HOTLINE_USER_SK)(ctx),
        memberships: await all(MEMBERSHIP_SK_PREFIX)(ctx),
        agentPhones: await all(AGENT_PHONE_SK_PREFIX)(ctx),
        organizations,
      };
    },
  },
];
