// The operations manifest: functions an operator starts by hand (`aws lambda invoke`), with no API
// route and no event source. The CDK stack makes one function per entry (lib/constructs/function-stack.ts,
// `OperationFunctions`), with only the table grant its `uses` asks for; the bundle test checks that
// each bundle holds only the SDKs it declares. Handlers live at functions/ops/.
import type { ProviderName } from '../shared/errors';

export interface OperationDef {
  name: string;
  /** The handler file, from the repository root. */
  handler: string;
  summary: string;
  uses: { table?: 'read' | 'write'; providers?: ProviderName[] };
  /** Up to Lambda's 900: a long operation stops before it and answers where to go on. */
  timeoutSeconds: number;
}

export const reindex = {
  name: 'reindex',
  handler: 'functions/ops/reindex.ts',
  summary: 'Rebuilds the admin customer index and the stats counters from the table (a parallel Scan, resumable from the checkpoint it answers)',
  uses: { table: 'write' },
  timeoutSeconds: 900,
} satisfies OperationDef;

/** Every operation, by name. */
export const operations: Record<string, OperationDef> = { reindex };
