// Schemas every part of the API shares: the problem document and small value types.
import * as z from '../zod';
import { CURSOR_MAX_LENGTH } from '../model/cursor';

export const Problem = /* @__PURE__ */ z.defineSchema(() => z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.optional(z.string()),
    instance: z.optional(z.string()),
    errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  })
  .register(z.globalRegistry, { id: 'Problem', description: 'RFC 9457 problem details; `type` is urn:fonella:problem:<slug>' }));

// What people type, and nothing else. Control characters (C0, DEL, C1) would reach email headers and
// logs; bidi controls can make text display as something else; a lone surrogate is not Unicode (and
// not valid UTF-8 for the table or a provider); text made only of invisible characters is blank.
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_NEWLINE_AND_TAB = /[^\P{Cc}\n\t]/u;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;
// U+FFFD is what a decoder leaves of bytes that were not UTF-8 (a Latin-1 body): refused, not stored.
const NOT_UNICODE = /[\p{Cs}\ufffd]/u;
const VISIBLE = /[^\s\p{Cf}\p{Zs}\u115f\u1160\u3164\uffa0]/u;

/**
 * The checks of a text field but its bound: built once and shared by every field of the kind (a check
 * keeps nothing of the schema it is on), where a request body of ten text fields built seventy.
 */
const textChecks = (controls: RegExp) => ({
  before: [z.trim(), z.minLength(1)],
  after: [
    z.refine<string>((s) => !controls.test(s), { message: 'Must not contain control characters.' }),
    z.refine<string>((s) => !BIDI_CONTROL.test(s), { message: 'Must not contain bidirectional control characters.' }),
    z.refine<string>((s) => !NOT_UNICODE.test(s), { message: 'Must be valid UTF-8 text.' }),
    z.refine<string>((s) => VISIBLE.test(s), { message: 'Must not be blank.' }),
  ],
});
const LINE_CHECKS = /* @__PURE__ */ z.deferSchema(() => textChecks(CONTROL));
const PARAGRAPH_CHECKS = /* @__PURE__ */ z.deferSchema(() => textChecks(CONTROL_BUT_NEWLINE_AND_TAB));

function plainText(max: number, { before, after }: ReturnType<typeof textChecks>) {
  return z.string().check(...before, z.maxLength(max), ...after);
}

/** One line of text (a name, a title): trimmed, bounded, no control characters at all. */
export const line = (max: number) => plainText(max, LINE_CHECKS());

/** Free text over several lines (a message): as `line`, but line feeds and tabs are allowed. */
export const paragraph = (max: number) => plainText(max, PARAGRAPH_CHECKS());

export const Email = /* @__PURE__ */ z.defineSchema(() => z.email().check(z.maxLength(254)));

export const isoDateTime = /* @__PURE__ */ z.defineReply(() => z.iso.datetime());

/** A page size of a listing: 1 to 100 (a query parameter, so text), `fallback` when not given. */
export const pageLimit = (fallback: number) =>
  z
    ._default(
      z.pipe(
        z.string().check(z.maxLength(3), z.regex(/^(100|[1-9][0-9]?)$/, 'Must be an integer from 1 to 100.')),
        z.transform((s) => Number(s)),
      ),
      fallback,
    )
    .register(z.globalRegistry, { description: `Items per page, 1 to 100 (default ${fallback}).`, examples: [String(fallback)] });

/** The cursor a listing answered as `nextCursor`, passed back unchanged (`also` says what must stay the same). */
export const pageCursor = (also?: string) =>
  z.string().check(z.minLength(1), z.maxLength(CURSOR_MAX_LENGTH)).register(z.globalRegistry, {
    description: `The previous page's \`nextCursor\`, unchanged${also ? ` (${also})` : ''}. Omit it for the first page.`,
  });
