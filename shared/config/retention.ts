// How long personal data from the public forms (contact, support tickets, callback requests) is kept:
// their rows carry a TTL this many days after they arrive, and DynamoDB deletes them then.
import * as z from '../zod';
import { defineConfig, positiveInt } from './define';

export const retentionConfig = /* @__PURE__ */ defineConfig(
  'retention',
  () =>
    z.pipe(
      z.object({ PUBLIC_FORM_RETENTION_DAYS: positiveInt() }),
      z.transform((e) => ({ publicFormDays: e.PUBLIC_FORM_RETENTION_DAYS })),
    ),
  { PUBLIC_FORM_RETENTION_DAYS: '180' },
);

/** The TTL attribute's value (epoch seconds) for a row that arrived at `from` and is kept `days`. */
export const expiresAfterDays = (from: Date, days: number) => Math.floor(from.getTime() / 1000) + days * 86400;
