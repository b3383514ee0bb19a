// `queueWorker(def, impl)`: builds a Lambda handler for one entry of the queue workers' manifest. Each
// SQS message's body is parsed as JSON and handed to `impl`, messages side by side (each is its own
// delivery: a slow one holds back no other), and the answer is a partial batch response (Powertools
// batch), so only a failed message comes back, after the queue's visibility timeout.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { currentStage } from '../config/define';
import { loadSecrets } from '../config/secrets';
import { logger } from '../observability/logger';
import type { QueueWorkerDef } from './queue-worker-def';

// On Lambda without a deployed STAGE the function stops here, at init (config/define.ts).
currentStage();
// The function's provider secrets into process.env, before the handler file's body reads its config.
await loadSecrets();

export type QueueWorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export function queueWorker<W extends QueueWorkerDef>(def: W, impl: (body: unknown, message: { id: string; receiveCount: number }) => Promise<void>): QueueWorkerHandler {
  const perMessage = async (record: SQSRecord) => {
    const keys = { worker: def.name, messageId: record.messageId };
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      // Not ours to retry: a body that is not JSON never will be.
      logger.error('message dropped: its body is not JSON', keys);
      return;
    }
    try {
      await impl(body, { id: record.messageId, receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1) });
    } catch (err) {
      logger.error('message failed', { ...keys, error: err as Error });
      throw err;
    }
  };
  return async (event: SQSEvent, context: Context) => {
    logger.addContext(context);
    const processor = new BatchProcessor(EventType.SQS);
    return processPartialResponse(event, perMessage, processor, { context, processInParallel: true });
  };
}
