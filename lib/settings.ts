// Deployment settings, read from CDK context (`cdk.json`, or `-c fonella='{...}'`). Secrets are not
// here: they live in one Secrets Manager secret per stage, named by `providerSecretName`, which the
// functions read at cold start (shared/config/secrets.ts); no function's configuration holds one.
import * as z from 'zod';
import { CALLBACK_ENV } from '../shared/config/callback';
import { CALL_RETENTION_LIMITS } from '../shared/config/retention';
import type { ProviderName } from '../shared/errors';
import type { Access } from '../shared/http/route-def';

/** A route throttle: steady requests per second and burst (API Gateway's token bucket). */
const Throttle = z.strictObject({ rateLimit: z.number().positive(), burstLimit: z.int().positive() });
export type Throttle = z.infer<typeof Throttle>;

/**
 * The route accesses that get throttles of their own (ROUTE_THROTTLE_DEFAULTS): the public routes,
 * anonymous, below the stage default; each webhook route sized for its provider.
 */
export const THROTTLED_ACCESS = ['public', 'vapi', 'stripe', 'jambonz'] as const satisfies readonly Access[];
export type ThrottledAccess = (typeof THROTTLED_ACCESS)[number];

/**
 * Reserved concurrency of webhook functions, by route access, unless the stage's `webhookConcurrency`
 * says otherwise: a flood of provider calls can neither take the account's concurrency from the other
 * functions nor run up the bill. Stripe retries throttled deliveries for days. Vapi's webhook answers
 * live calls, and a custom tool's call holds an instance for as long as the customer's URL takes (up
 * to the stage's longest tool timeout, 20 s at most): 100 leave room for 100 tool calls in progress
 * at once besides the call reports; jambonz's hooks answer in milliseconds.
 */
export const WEBHOOK_CONCURRENCY = { vapi: 100, stripe: 5, jambonz: 20 } as const satisfies Partial<Record<Access, number>>;

/**
 * Per route of each throttled access, unless `routeThrottles` says otherwise. Public routes: a
 * marketing site's forms and plans, each also limited per client address in the function. Vapi and
 * jambonz: their hooks during live calls (Vapi's end-of-call reports, jambonz's call and status hooks).
 * Stripe: its events, which it retries for days when throttled.
 */
export const ROUTE_THROTTLE_DEFAULTS: Record<ThrottledAccess, Throttle> = {
  public: { rateLimit: 10, burstLimit: 20 },
  vapi: { rateLimit: 50, burstLimit: 100 },
  stripe: { rateLimit: 10, burstLimit: 20 },
  jambonz: { rateLimit: 50, burstLimit: 100 },
};

export const StackSettings = z.strictObject({
  stage: z.enum(['dev', 'prod']),
  auth0Domain: z.string().min(3),
  auth0Audience: z.string().min(3),
  corsOrigins: z.array(z.url()).min(1),
  portalUrl: z.url(),
  /** The partner portal: partner invites link to `<partnerPortalUrl>/activate?invite=<token>`. */
  partnerPortalUrl: z.url(),
  providerSecretName: z.string().min(3),
  /** Non-secret provider settings, by environment variable name (never a local-only switch, see LOCAL_ONLY_ENV). */
  environment: z.record(z.string(), z.string()).refine((env) => LOCAL_ONLY_ENV.every((k) => !(k in env)), {
    message: 'must not set a local-only variable (LOCAL_ONLY_ENV in lib/settings.ts)',
  }),
  /** The API stage's default route throttle: steady requests per second and burst. */
  apiThrottle: Throttle.default({ rateLimit: 50, burstLimit: 100 }),
  /**
   * The throttle of each public and webhook route, by its access (each route its own bucket, in place
   * of `apiThrottle`); an access left out keeps ROUTE_THROTTLE_DEFAULTS.
   */
  routeThrottles: z
    .strictObject({
      public: Throttle.default(ROUTE_THROTTLE_DEFAULTS.public),
      vapi: Throttle.default(ROUTE_THROTTLE_DEFAULTS.vapi),
      stripe: Throttle.default(ROUTE_THROTTLE_DEFAULTS.stripe),
      jambonz: Throttle.default(ROUTE_THROTTLE_DEFAULTS.jambonz),
    })
    .default(ROUTE_THROTTLE_DEFAULTS),
  /** Days the public forms' rows (personal data) are kept before their TTL deletes them. */
  publicFormRetentionDays: z.int().min(1).max(3650).default(180),
  /** Submissions of each public form allowed per client address and hour (shared/config/rate-limits.ts). */
  publicFormRateLimits: z
    .strictObject({
      contactPerHour: z.int().min(1).max(100_000),
      /**
       * The contact form without a reCAPTCHA token (the marketing site sends none): per client
       * address and hour, and per sender email address and day.
       */
      contactWithoutTokenPerHour: z.int().min(1).max(100_000).default(3),
      contactWithoutTokenPerEmailPerDay: z.int().min(1).max(100_000).default(2),
      supportTicketPerHour: z.int().min(1).max(100_000),
      /** Test callbacks per client address and hour, and to one number per day. */
      callbackPerHour: z.int().min(1).max(100_000).default(10),
      callbackPerNumberPerDay: z.int().min(1).max(100_000).default(3),
    })
    .default({
      contactPerHour: 10,
      contactWithoutTokenPerHour: 3,
      contactWithoutTokenPerEmailPerDay: 2,
      supportTicketPerHour: 10,
      callbackPerHour: 10,
      callbackPerNumberPerDay: 3,
    }),
  /**
   * What a signed-in user can make Fonella email (shared/config/devices.ts, shared/config/rate-limits.ts):
   * device sessions kept per user (a new one drops the least recently seen), the window with at most
   * one new-sign-in email per user, call reports per call and per user and day, and links confirming
   * a changed settings address per user and day.
   */
  mailBounds: z
    .strictObject({
      devicesPerUser: z.int().min(1).max(1000).default(10),
      signInAlertWindowMinutes: z.int().min(1).max(10_080).default(60),
      callReportsPerCallPerDay: z.int().min(1).max(1000).default(3),
      callReportsPerUserPerDay: z.int().min(1).max(1000).default(10),
      emailConfirmationsPerUserPerDay: z.int().min(1).max(1000).default(5),
    })
    .default({
      devicesPerUser: 10,
      signInAlertWindowMinutes: 60,
      callReportsPerCallPerDay: 3,
      callReportsPerUserPerDay: 10,
      emailConfirmationsPerUserPerDay: 5,
    }),
  /**
   * Quotas on the hotline service's costly creations (shared/config/quotas.ts): organisations one user
   * may create, hotlines per organisation, agent phones one user may own. Over one: 409 `quota-<name>`.
   */
  quotas: z
    .strictObject({
      organizationsPerUser: z.int().min(1).max(100_000).default(3),
      hotlinesPerOrganization: z.int().min(1).max(100_000).default(10),
      agentPhonesPerUser: z.int().min(1).max(100_000).default(10),
    })
    .default({ organizationsPerUser: 3, hotlinesPerOrganization: 10, agentPhonesPerUser: 10 }),
  /**
   * Custom tools (shared/config/tools.ts): tools per account (over it: 409 `quota-tools`), and the
   * bounds and default of a tool's timeout in seconds (min <= default <= max, within 1..20: the
   * caller waits in silence meanwhile, and the webhook's function must outlast the longest).
   */
  tools: z
    .strictObject({
      perUser: z.int().min(1).max(100).default(20),
      timeoutMinSeconds: z.int().min(1).max(20).default(1),
      timeoutMaxSeconds: z.int().min(1).max(20).default(20),
      timeoutDefaultSeconds: z.int().min(1).max(20).default(5),
    })
    .refine((t) => t.timeoutMinSeconds <= t.timeoutDefaultSeconds && t.timeoutDefaultSeconds <= t.timeoutMaxSeconds, {
      message: 'must satisfy timeoutMinSeconds <= timeoutDefaultSeconds <= timeoutMaxSeconds',
    })
    .default({ perUser: 20, timeoutMinSeconds: 1, timeoutMaxSeconds: 20, timeoutDefaultSeconds: 5 }),
  /**
   * Webhooks to customers (shared/config/outbound-webhooks.ts): endpoints per account (over it: 409
   * `quota-webhooks`), and the days events and delivery logs are kept (their TTL; `recover` reaches as far back).
   */
  webhooks: z
    .strictObject({
      endpointsPerUser: z.int().min(1).max(100).default(10),
      retentionDays: z.int().min(1).max(90).default(30),
    })
    .default({ endpointsPerUser: 10, retentionDays: 30 }),
  /**
   * The developer API's keys (shared/config/api-keys.ts): requests one key may make per minute, counted
   * in the table across every instance. Over it: 429 with Retry-After and the RateLimit fields.
   */
  apiKeys: z.strictObject({ requestsPerMinute: z.int().min(1).max(100_000).default(120) }).default({ requestsPerMinute: 120 }),
  /**
   * Reserved concurrency of each webhook's function (WEBHOOK_CONCURRENCY has the defaults and why):
   * lower in an account whose Lambda concurrency is small (the account keeps 100 unreserved), higher
   * for a stage with more tool calls in progress at once.
   */
  webhookConcurrency: z
    .strictObject({
      vapi: z.int().min(1).max(900).default(WEBHOOK_CONCURRENCY.vapi),
      stripe: z.int().min(1).max(900).default(WEBHOOK_CONCURRENCY.stripe),
      jambonz: z.int().min(1).max(900).default(WEBHOOK_CONCURRENCY.jambonz),
    })
    .default(WEBHOOK_CONCURRENCY),
  /**
   * The customers' privacy controls (shared/config/retention.ts, shared/config/exports.ts): the days a
   * call is kept when the account chose nothing (`callRetentionDays.default`) and the bounds an
   * account may choose within; data exports per user and day (one at a time), how long an export's
   * files stay in the bucket (its lifecycle rule deletes them then) and how long a download link works.
   */
  privacy: z
    .strictObject({
      callRetentionDays: z
        .strictObject({
          default: z.int().min(CALL_RETENTION_LIMITS.min).max(CALL_RETENTION_LIMITS.max).default(90),
          min: z.int().min(CALL_RETENTION_LIMITS.min).max(CALL_RETENTION_LIMITS.max).default(1),
          max: z.int().min(CALL_RETENTION_LIMITS.min).max(CALL_RETENTION_LIMITS.max).default(730),
        })
        .refine((r) => r.min <= r.default && r.default <= r.max, { message: 'must hold min <= default <= max' })
        .default({ default: 90, min: 1, max: 730 }),
      exportsPerUserPerDay: z.int().min(1).max(100).default(3),
      exportRetentionDays: z.int().min(1).max(30).default(7),
      exportLinkMinutes: z.int().min(1).max(60).default(15),
    })
    .default({ callRetentionDays: { default: 90, min: 1, max: 730 }, exportsPerUserPerDay: 3, exportRetentionDays: 7, exportLinkMinutes: 15 }),
});
export type StackSettings = z.infer<typeof StackSettings>;

/**
 * The variables a function gets for each provider it uses: plain ones from settings, in its
 * environment; secret ones are keys of the stage secret, which it reads at cold start (SECRET_KEYS).
 */
/**
 * The test callback's settings (shared/config/callback.ts), handed with each telephony provider it can
 * use: which provider, and per locale the caller ID (all three), Vapi's assistant and number ids, and
 * (jambonz) the Vapi SIP URIs.
 */
const CALLBACK_COMMON = [CALLBACK_ENV.provider, ...CALLBACK_ENV.callerIds];

export const PROVIDER_ENV: Record<ProviderName, { plain: string[]; secret: string[] }> = {
  mailgun: { plain: ['MAILGUN_DOMAIN', 'MAILGUN_REGION', 'MAIL_FROM', 'SALES_INBOX', 'SUPPORT_INBOX', 'REVIEW_INBOX'], secret: ['MAILGUN_API_KEY'] },
  vapi: {
    plain: ['VAPI_BASE_URL', 'VAPI_SERVER_URL', 'VAPI_POOL_CREDENTIAL_ID', 'ASSISTANT_SPEECH_JSON', ...CALLBACK_COMMON, ...CALLBACK_ENV.assistants, ...CALLBACK_ENV.vapiPhoneNumbers],
    secret: ['VAPI_API_KEY', 'VAPI_WEBHOOK_SECRET'] },
  sipgate: { plain: ['SIPGATE_BASE_URL', 'SIPGATE_USER_ID', 'SIPGATE_TRUNK_DEVICE_ID', 'SIPGATE_HOTLINE_TRUNK_DEVICE_ID'], secret: ['SIPGATE_TOKEN_ID', 'SIPGATE_TOKEN'] },
  fonial: { plain: ['FONIAL_BASE_URL', 'FONIAL_DEVICE_ID', ...CALLBACK_COMMON], secret: ['FONIAL_USERNAME', 'FONIAL_PASSWORD'] },
  jambonz: {
    plain: [
      'JAMBONZ_BASE_URL',
      'JAMBONZ_ACCOUNT_SID',
      'JAMBONZ_APPLICATION_SID',
      'JAMBONZ_SPEECH_SYNTHESIS_VENDOR',
      'JAMBONZ_SPEECH_SYNTHESIS_LANGUAGE',
      'JAMBONZ_SPEECH_SYNTHESIS_VOICE',
      'JAMBONZ_SPEECH_RECOGNIZER_VENDOR',
      'JAMBONZ_SPEECH_RECOGNIZER_LANGUAGE',
      ...CALLBACK_COMMON,
      CALLBACK_ENV.jambonzApplication,
      // The callback application's call hook dials these to reach the locale's assistant.
      ...CALLBACK_ENV.vapiSipUris,
      // The hotlines (shared/config/hotlines.ts).
      'HOTLINE_HOOK_BASE_URL',
      'HOTLINE_SIP_GATEWAY',
      'HOTLINE_DIAL_TIMEOUT_SECONDS',
      'HOTLINE_PRICE_PER_MINUTE',
      'HOTLINE_PAUSED_TEXT',
      // Optional (four hours unless set in the stage's `environment`).
      'HOTLINE_CHANNEL_LEASE_SECONDS',
    ],
    secret: ['JAMBONZ_API_KEY', 'JAMBONZ_WEBHOOK_SECRET'],
  },
  stripe: {
    plain: ['STRIPE_PRICE_STARTER', 'STRIPE_PRICE_BUSINESS', 'STRIPE_PRICE_PREMIUM'],
    secret: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
  },
  auth0: { plain: ['AUTH0_DOMAIN'], secret: ['AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET'] },
  // Never RECAPTCHA_OPTIONAL: a deployed form always requires a token (LOCAL_ONLY_ENV).
  recaptcha: { plain: ['RECAPTCHA_MIN_SCORE'], secret: ['RECAPTCHA_SECRET'] },
};

/**
 * Switches for the local stack only, which no deployed function may get: `RECAPTCHA_OPTIONAL` lets a
 * public form through without a reCAPTCHA token; `ALLOW_LOOPBACK_ADDRESSES` lets a customer's SIP
 * gateway be a loopback address or `localhost` (shared/config/addresses.ts); `WEBHOOK_ALLOW_HTTP_LOOPBACK`
 * lets a webhook endpoint be `http://127.0.0.1:<port>`, `TOOL_ALLOW_HTTP_LOOPBACK` a custom tool's URL
 * (shared/config/tools.ts), and `LOCAL_HOST_ADDRESSES` answers fixed addresses for some names before DNS
 * (shared/config/outbound-webhooks.ts). No PROVIDER_ENV list
 * names them, so CDK never copies them, and StackSettings refuses them in `environment`.
 */
export const LOCAL_ONLY_ENV = ['RECAPTCHA_OPTIONAL', 'ALLOW_LOOPBACK_ADDRESSES', 'WEBHOOK_ALLOW_HTTP_LOOPBACK', 'TOOL_ALLOW_HTTP_LOOPBACK', 'LOCAL_HOST_ADDRESSES'] as const;

/** The keys of the stage secret a function reads: its providers' secret variables and `extra`, sorted. */
export function functionSecretKeys(providers: readonly ProviderName[] = [], extra: readonly string[] = []): string[] {
  return [...new Set([...extra, ...providers.flatMap((p) => PROVIDER_ENV[p].secret)])].sort();
}

/** Every key of the stage secret: the secret variables of every provider. */
export const PROVIDER_SECRET_KEYS: string[] = functionSecretKeys(Object.keys(PROVIDER_ENV) as ProviderName[]);

/** The secret a webhook route proves its caller with, by route access: Vapi's shared secret, the key jambonz signs its hooks with. */
export const WEBHOOK_SECRET_VARS: Partial<Record<Access, string[]>> = { vapi: ['VAPI_WEBHOOK_SECRET'], jambonz: ['JAMBONZ_WEBHOOK_SECRET'] };

