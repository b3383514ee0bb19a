// The body of PATCH /v1/me/settings: the fields a customer may change, each optional, at least one.
// None may be null: a field left out keeps its value, and nothing here can be cleared. And the body of
// POST /v1/me/email-confirmations: the token of a confirmation link.
//
// Time zones are IANA names, checked against the runtime's own list (`Intl.supportedValuesOf`, ICU's).
// That list holds one name per zone, CLDR's canonical one, which for some zones is older than IANA's
// current name (America/Buenos_Aires for America/Argentina/Buenos_Aires, Asia/Calcutta for
// Asia/Kolkata, Europe/Kiev for Europe/Kyiv), and lacks 'UTC'. So a name is taken when it is on that
// list or is 'UTC', or when ICU knows it as another IANA name of a zone (its formatter takes it) and
// it is written the way IANA writes names (each word capitalised). ICU matches names in any case; the
// name is stored as sent, so a listed name in another case ('europe/berlin') is refused, naming the
// right spelling.
import * as z from '../zod';
import { CALL_RETENTION_LIMITS, TRANSCRIPT_STORAGE } from '../config/retention';
import { LOCALES } from '../model/locale';
import { Email, line } from './common';

/** Longer than any IANA name (the longest has 30 characters). */
export const TIMEZONE_MAX = 64;

// The characters of IANA names; anything else is refused before the runtime is asked.
const IANA_CHARS = /^[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+)*$/;
// How IANA writes a name: each word starts with a capital or a digit, no long runs of capitals.
const IANA_CASE = /^(?:[A-Z0-9][A-Za-z0-9+]*(?:[/_-]|$))+$/;
const SHOUTING = /[A-Z]{5}/;

let listed: Map<string, string> | undefined;
/** The runtime's zone names, by their lower case. */
function listedZones(): Map<string, string> {
  listed ??= new Map([...Intl.supportedValuesOf('timeZone'), 'UTC'].map((name) => [name.toLowerCase(), name]));
  return listed;
}

function knownToRuntime(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Why `name` is not a time zone we take, or undefined when it is one. */
export function timezoneProblem(name: string): string | undefined {
  const spelled = listedZones().get(name.toLowerCase());
  if (spelled === name) return undefined;
  if (spelled !== undefined) return `Time zone names are case-sensitive: write "${spelled}".`;
  if (IANA_CHARS.test(name) && IANA_CASE.test(name) && !SHOUTING.test(name) && knownToRuntime(name)) return undefined;
  return 'Must be an IANA time zone name, such as Europe/Berlin or UTC.';
}

const NOT_NULL = 'Must not be null: leave the field out to keep its value.';

/** `schema` with its own message for null (the type error of every field). */
function refusingNull<T extends z.ZodMiniType>(schema: T): T {
  const error = (issue: { input?: unknown }) => (issue.input === null ? NOT_NULL : undefined);
  return schema.clone({ ...schema._zod.def, error } as T['_zod']['def']) as T;
}

export const Timezone = /* @__PURE__ */ z.defineSchema(() => z.string().check(
  z.maxLength(TIMEZONE_MAX),
  z.regex(IANA_CHARS, 'Must be an IANA time zone name, such as Europe/Berlin or UTC.'),
  z.refine((s) => timezoneProblem(s) === undefined, {
    error: (issue) => timezoneProblem(String(issue.input)),
    // One message per field: only a name of the right characters and length is looked up.
    when: (payload) => payload.issues.length === 0,
  }),
));

const fields = /* @__PURE__ */ z.defineSchema(() => ({
  name: z.optional(refusingNull(line(120)).register(z.globalRegistry, { description: "The customer's name, one line." })),
  email: z.optional(
    refusingNull(Email).register(z.globalRegistry, {
      description:
        "Where Fonella writes to the customer (call summaries, notices). A new address is pending until the link emailed to it is used (`POST /v1/me/email-confirmations`); the token's own address, when Auth0 verified it, is taken at once.",
    }),
  ),
  timezone: z.optional(
    refusingNull(Timezone).register(z.globalRegistry, {
      description:
        'An IANA time zone name, written as IANA writes it (names are case-sensitive), or `UTC`. The times in emails and the portal are shown in it.',
      examples: ['Europe/Berlin', 'UTC', 'America/Argentina/Buenos_Aires'],
    }),
  ),
  locale: z.optional(refusingNull(z.enum(LOCALES)).register(z.globalRegistry, { description: "The language of the customer's emails." })),
  callRetentionDays: z.optional(
    refusingNull(z.int().check(z.minimum(CALL_RETENTION_LIMITS.min), z.maximum(CALL_RETENTION_LIMITS.max))).register(z.globalRegistry, {
      description:
        "Days a call is kept after it started; then it is deleted (its row's TTL). 1 to 730; a stage may allow less (outside its bounds 400 naming this field). A change re-dates every call already stored, in the background: calls older than the new period go.",
      examples: [30],
    }),
  ),
  transcriptStorage: z.optional(
    refusingNull(z.enum(TRANSCRIPT_STORAGE)).register(z.globalRegistry, {
      description:
        'What of each new call is stored: `full` (summary, transcript, recording link), `summary-only` (the summary; no transcript, no recording link) or `none` (neither summary nor transcript nor recording link: only who called, when, how long). Calls stored before the change keep what they have.',
    }),
  ),
}));

export const SettingsUpdate = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject(fields)
  .check(
    z.refine((body) => Object.keys(body).length > 0, {
      message: `Send at least one field to change: ${Object.keys(fields).join(', ')}.`,
      when: (payload) => payload.issues.length === 0,
    }),
  )
  .register(z.globalRegistry, {
    id: 'SettingsUpdate',
    description: 'The settings to change; fields left out keep their value. At least one field, none null.',
    minProperties: 1,
  }));

export type SettingsUpdateBody = z.output<typeof SettingsUpdate>;

/** The token of the link in the confirmation email (32 random bytes, base64url). */
export const EmailConfirmationRequest = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    token: z
      .string()
      .check(z.minLength(16), z.maxLength(128), z.regex(/^[A-Za-z0-9_-]+$/, 'Must be the token of the confirmation link.'))
      .register(z.globalRegistry, {
        description: 'The `token` parameter of the link in the confirmation email.',
        examples: ['q5Jx0vR2mK8wT3yZ7bN1cD4fG6hJ9kL2pS5uV8xA0eC'],
        writeOnly: true,
      }),
  })
  .register(z.globalRegistry, { id: 'EmailConfirmationRequest' }));
