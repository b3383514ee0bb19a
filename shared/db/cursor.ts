// Opaque page cursors for listings: a query's LastEvaluatedKey as base64url JSON. A cursor comes back
// from a client, so decoding trusts nothing: it must be canonical base64url of a JSON object whose
// keys are exactly the index's key attributes, each a string, and the listing's own check must pass
// (its partition, its sort-key shape). Anything else is 400 `invalid-cursor`, never a query the
// table would refuse (a 500) or one that reads outside the listing.
import { AppError } from '../errors';

/** The longest cursor taken: a key of four short strings is far below it. */
import { CURSOR_MAX_LENGTH } from '../model/cursor';

export { CURSOR_MAX_LENGTH };

/** The problem slug of InvalidCursorError (a plain constant: the route manifest names it without building an error). */
export const INVALID_CURSOR = 'invalid-cursor';

export class InvalidCursorError extends AppError {
  constructor() {
    super(400, INVALID_CURSOR, 'Bad request', 'The cursor is not one this listing gave out. Start again without a cursor.');
  }
}

export type CursorKey = Record<string, string>;

export interface CursorSpec {
  /** The key attributes of the queried index and the table (e.g. pk, sk, gsi2pk, gsi2sk): all required, no others. */
  keys: readonly string[];
  /** The listing's own rule for a decoded key (e.g. its partition is the listing's). */
  check: (key: CursorKey) => boolean;
}

/** The cursor for the next page, or null when there is none. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  if (!key) return null;
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The ExclusiveStartKey a cursor stands for; undefined for no cursor; InvalidCursorError for anything else. */
export function decodeCursor(cursor: string | undefined, spec: CursorSpec): CursorKey | undefined {
  if (cursor === undefined) return undefined;
  if (cursor.length === 0 || cursor.length > CURSOR_MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  const bytes = Buffer.from(cursor, 'base64url');
  // Node ignores stray bits of a truncated last character: only the cursor we would have written passes.
  if (bytes.toString('base64url') !== cursor) throw new InvalidCursorError();
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new InvalidCursorError();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidCursorError();
  const entries = Object.entries(value);
  const allowed = new Set(spec.keys);
  if (entries.length !== allowed.size) throw new InvalidCursorError();
  for (const [k, v] of entries) {
    if (!allowed.has(k) || typeof v !== 'string' || v.length === 0) throw new InvalidCursorError();
  }
  const key = Object.fromEntries(entries) as CursorKey;
  if (!spec.check(key)) throw new InvalidCursorError();
  return key;
}
