// Operation (lib/operations.ts): the rebuild of the customer index and the stats counters
// (shared/domain/reindex.ts) on AWS, started by hand, never by an event:
//   aws lambda invoke --function-name fonella-<stage>-reindex --cli-binary-format raw-in-base64-out \
//     --cli-read-timeout 0 --payload '{"segments":4}' out.json
// It stops a minute before its deadline and answers its report; while `complete` is false, invoke it
// again with the report's checkpoint (`--payload "$(jq -c '{checkpoint}' out.json)"`) to go on.
// A payload it cannot take is answered `{error, issues}` and runs nothing.
import type { Context } from 'aws-lambda';
import { table } from '../../shared/db/client';
import { customerIndexRepository } from '../../shared/db/customers';
import { derivedSourcesRepository } from '../../shared/db/derived-sources';
import { statsRepository } from '../../shared/db/stats';
import { ReindexInputError, rebuildDerivedData, type ReindexReport } from '../../shared/domain/reindex';
import { logger } from '../../shared/observability/logger';
import { ReindexPayload } from '../../shared/schemas/reindex';

/** Left of the function's time when no further page is started: a page's rows finish well within it. */
const STOP_BEFORE_MS = 60_000;
const PROGRESS_EVERY_MS = 15_000;

const deps = { sources: derivedSourcesRepository(table()), customers: customerIndexRepository(table()), stats: statsRepository(table()) };

export const handler = async (event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<ReindexReport | { error: string; issues: string[] }> => {
  const parsed = ReindexPayload.safeParse(event ?? {});
  if (!parsed.success) return { error: 'the payload is not one the rebuild takes', issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`) };
  const { checkpoint, ...options } = parsed.data;
  let logged = Date.now();
  try {
    const report = await rebuildDerivedData(deps, {
      ...options,
      ...(checkpoint ? { checkpoint } : {}),
      shouldStop: () => context.getRemainingTimeInMillis() < STOP_BEFORE_MS,
      onProgress: (p) => {
        if (Date.now() - logged < PROGRESS_EVERY_MS) return;
        logged = Date.now();
        logger.info('reindex progress', { segmentsDone: p.segmentsDone, totalSegments: p.totalSegments, pages: p.pages, scanned: p.scanned, customers: p.customers, calls: p.calls });
      },
    });
    const { checkpoint: _next, ...summary } = report;
    logger.info('reindex', summary);
    return report;
  } catch (err) {
    if (err instanceof ReindexInputError) return { error: err.message, issues: [] };
    throw err;
  }
};
