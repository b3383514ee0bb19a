// `worker(def, impl)`: builds a Lambda handler for one entry of the worker manifest. The stack turns
// each DynamoDB stream record into a typed row (keys, unmarshalled old and new images), calls `impl`
// once per record (rows side by side, each row's records in stream order), logs with the record's
// keys and event id, and answers with a partial batch response (Powertools batch), so a failing
// record does not hold back the others: Lambda moves its checkpoint past the records before it.
// Records after it are delivered again on the retry, which is why every effect marks its row and
// checks the mark first.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { isDeepStrictEqual } from 'node:util';
import { currentStage } from '../config/define';
import { loadSecrets } from '../config/secrets';
import { logger } from '../observability/logger';
import type { StreamEventName, WorkerDef } from './worker-def';

// On Lambda without a deployed STAGE the function stops here, at init (config/define.ts).
currentStage();
// The function's provider secrets into process.env, before the handler file's body reads its config.
await loadSecrets();

export type Item = Record<string, unknown>;

export interface StreamRow<T extends Item = Item> {
  event: StreamEventName;
  eventId: string;
  sequenceNumber: string;
  /** When the change was made: the record's approximate creation time (whole seconds). */
  at: Date;
  keys: { pk: string; sk: string };
  newImage?: T;
  oldImage?: T;
}

export type WorkerHandler = ((event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>) & {
  /** The last invocation's error per failed sequence number (the local runtime shows it for parked records). */
  lastErrors(): Map<string, string>;
};

type LambdaImage = NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];

// aws-lambda's AttributeValue and the SDK's describe the same JSON.
const image = (img: LambdaImage) => (img ? (unmarshall(img as Record<string, AttributeValue>) as Item) : undefined);

export function toRow(record: DynamoDBRecord): StreamRow {
  const d = record.dynamodb ?? {};
  const keys = image(d.Keys) ?? {};
  return {
    event: record.eventName as StreamEventName,
    eventId: record.eventID ?? '',
    sequenceNumber: d.SequenceNumber ?? '',
    at: new Date((d.ApproximateCreationDateTime ?? Date.now() / 1000) * 1000),
    keys: { pk: String(keys.pk ?? ''), sk: String(keys.sk ?? '') },
    newImage: image(d.NewImage),
    oldImage: image(d.OldImage),
  };
}

/** The part of the manifest's filter a Lambda filter cannot express: did the field change? */
function wanted(def: WorkerDef, row: StreamRow): boolean {
  const field = def.on.changed;
  return !field || !isDeepStrictEqual(row.oldImage?.[field], row.newImage?.[field]);
}

export function worker<W extends WorkerDef>(def: W, impl: (row: StreamRow) => Promise<void>): WorkerHandler {
  let errors = new Map<string, string>();
  let tails = new Map<string, Promise<void>>();

  const handle = async (row: StreamRow) => {
    const keys = { worker: def.name, eventId: row.eventId, event: row.event, pk: row.keys.pk, sk: row.keys.sk };
    try {
      if (!wanted(def, row)) return logger.debug('record skipped: the watched field did not change', keys);
      await impl(row);
      logger.info('record done', keys);
    } catch (err) {
      errors.set(row.sequenceNumber, err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      logger.error('record failed', { ...keys, error: err as Error });
      throw err;
    }
  };

  // Records of different rows run side by side; records of the same row run in stream order, and
  // after a failed one the later ones fail too (they come again, after it, on the retry).
  const perRecord = async (record: DynamoDBRecord) => {
    const row = toRow(record);
    const key = `${row.keys.pk}\u0000${row.keys.sk}`;
    const before = tails.get(key);
    const run = (before ?? Promise.resolve()).then(
      () => handle(row),
      () => {
        errors.set(row.sequenceNumber, 'an earlier record of the same row failed in this batch');
        throw new Error('an earlier record of the same row failed in this batch');
      },
    );
    tails.set(key, run);
    return run;
  };

  const handler = async (event: DynamoDBStreamEvent, context: Context) => {
    errors = new Map();
    tails = new Map();
    logger.addContext(context);
    // One processor per invocation: its state belongs to the invocation (and Powertools keeps it in
    // the invoke store where invocations run side by side).
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    return processPartialResponse(event, perRecord, processor, { context, processInParallel: true });
  };
  return Object.assign(handler, { lastErrors: () => errors });
}
