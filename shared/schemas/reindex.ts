// The rebuild's input as an operator hands it over (the `reindex` function's payload, a checkpoint
// file of `npm run reindex`): its shape only; the use case checks the ranges (shared/domain/reindex.ts).
import * as z from '../zod';

const count = /* @__PURE__ */ z.defineSchema(() => z.int().check(z.positive()));

export const ReindexCheckpointInput = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  totalSegments: count,
  segments: z.array(z.strictObject({ done: z.boolean(), startKey: z.optional(z.record(z.string(), z.unknown())) })),
}));

export const ReindexPayload = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  segments: z.optional(count),
  pageSize: z.optional(count),
  concurrency: z.optional(count),
  recountCalls: z.optional(z.boolean()),
  maxPages: z.optional(count),
  // Not null: a finished run's `{checkpoint: null}` handed back would start the whole rebuild again.
  checkpoint: z.optional(ReindexCheckpointInput),
}));
