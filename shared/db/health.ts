// The deep health check's probe: one GetItem on a fixed key (HEALTH / PROBE) that nothing writes, so
// the answer is always "no item"; what counts is that the table answered, and in time. A read needs
// only the read grant (DescribeTable would need its own action) and costs half a read unit.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client';

const PROBE_KEY = { pk: 'HEALTH', sk: 'PROBE' } as const;

export type ProbeOutcome = 'ok' | 'timeout' | 'error';

export function healthRepository(t: TableRef) {
  return {
    /**
     * Reads the probe key once. `timeout` when the table has not answered within `timeoutMs` (the
     * request is aborted, retries included); `error` when it answered with a failure (a missing
     * table, a refused grant, an unreachable endpoint). Never throws.
     */
    async probe(timeoutMs: number): Promise<{ outcome: ProbeOutcome; cause?: unknown }> {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await t.doc.send(
          new GetCommand({ TableName: t.tableName, Key: PROBE_KEY, ProjectionExpression: 'pk' }),
          { abortSignal: signal },
        );
        return { outcome: 'ok' };
      } catch (cause) {
        return { outcome: signal.aborted ? 'timeout' : 'error', cause };
      }
    },
  };
}

export type HealthRepository = ReturnType<typeof healthRepository>;
