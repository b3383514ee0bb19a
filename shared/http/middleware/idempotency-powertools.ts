// The runner behind ./idempotency.ts: Powertools' `makeIdempotent` around the handler's work, with
// its records in the table through the port it is given (shared/db/idempotency-records.ts, one per
// route), and Powertools' errors answered as our typed ones.
//
// Powertools idempotency loads at the first request that brings an Idempotency-Key, not at the cold
// start: every import of it here is dynamic, and the functions' bundles leave the package out
// (lib/bundling.ts `deferredPackages`; CDK installs it beside the bundle). A request without a key
// never needs it, and its ~42 kB were ~2 ms of the callback route's cold start (`npm run bench`).
import type { JSONValue } from '@aws-lambda-powertools/commons/types';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { IdempotencyRecordItem } from '../../db/idempotency-records';
import { AppError, IdempotencyInProgressError, IdempotencyKeyReusedError } from '../../errors';
import { IDEMPOTENCY_TTL_SECONDS, type IdempotencyRunner, type IdempotentPayload } from './idempotency';

/** What the runner needs of a route's records (shared/db/idempotency-records.ts). */
export interface IdempotencyRecordsPort {
  get(key: string): Promise<IdempotencyRecordItem | undefined>;
  putIfFree(record: IdempotencyRecordItem, nowMs: number): Promise<{ put: true } | { put: false; existing?: IdempotencyRecordItem }>;
  update(record: IdempotencyRecordItem): Promise<void>;
  delete(key: string): Promise<void>;
}

type Powertools = Awaited<ReturnType<typeof loadPowertools>>;

async function loadPowertools() {
  const [core, persistence] = await Promise.all([import('@aws-lambda-powertools/idempotency'), import('@aws-lambda-powertools/idempotency/persistence')]);
  const { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError } = core;
  const { BasePersistenceLayer, IdempotencyRecord } = persistence;
  const toRecord = (r: IdempotencyRecordItem) =>
    new IdempotencyRecord({
      idempotencyKey: r.key,
      status: r.status as 'INPROGRESS' | 'COMPLETED' | 'EXPIRED',
      expiryTimestamp: r.expiresAt,
      inProgressExpiryTimestamp: r.inProgressExpiresAt,
      responseData: r.data as JSONValue | undefined,
      payloadHash: r.payloadHash,
    });
  const toItem = (r: IdempotencyRecord): IdempotencyRecordItem => ({
    key: r.idempotencyKey,
    status: r.getStatus(),
    expiresAt: r.expiryTimestamp,
    inProgressExpiresAt: r.inProgressExpiryTimestamp,
    data: r.responseData,
    payloadHash: r.payloadHash,
  });

  /** Powertools' persistence layer on a records port: what its DynamoDB layer does, through our table client. */
  class TableRecordsLayer extends BasePersistenceLayer {
    constructor(private readonly records: IdempotencyRecordsPort) {
      super();
    }
    protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
      const found = await this.records.get(idempotencyKey);
      if (!found) throw new IdempotencyItemNotFoundError();
      return toRecord(found);
    }
    protected async _putRecord(record: IdempotencyRecord): Promise<void> {
      const out = await this.records.putIfFree(toItem(record), Date.now());
      if (!out.put) {
        throw new IdempotencyItemAlreadyExistsError(`Failed to put record for already existing idempotency key: ${record.idempotencyKey}`, out.existing && toRecord(out.existing));
      }
    }
    protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
      await this.records.update(toItem(record));
    }
    protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
      await this.records.delete(record.idempotencyKey);
    }
  }
  return { ...core, TableRecordsLayer };
}

/** The runner: `recordsFor(route)` gives a route's records; Powertools loads at the first call. */
export function powertoolsIdempotency(recordsFor: (routeName: string) => IdempotencyRecordsPort): IdempotencyRunner {
  let powertools: Promise<Powertools> | undefined;
  const stores = new Map<string, InstanceType<Powertools['TableRecordsLayer']>>();
  return async ({ route, payload, context, exec }) => {
    // A failed load is not kept: the next request tries again.
    const pt = await (powertools ??= loadPowertools().catch((err: unknown) => {
      powertools = undefined;
      throw err;
    }));
    let store = stores.get(route);
    if (!store) stores.set(route, (store = new pt.TableRecordsLayer(recordsFor(route))));
    const config = new pt.IdempotencyConfig({
      eventKeyJmesPath: 'key',
      payloadValidationJmesPath: 'request',
      throwOnNoIdempotencyKey: false,
      expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
      // A record in progress holds its key until this invocation's time is up. One config per
      // request: the local runtime runs concurrent invocations in one process.
      lambdaContext: context,
    });
    const once = pt.makeIdempotent(async (_payload: IdempotentPayload) => exec(), {
      persistenceStore: store,
      config,
      keyPrefix: route,
      dataIndexArgument: 0,
    });
    try {
      return await once(payload);
    } catch (err) {
      throw fromPowertools(err);
    }
  };
}

/** Powertools' idempotency errors as our typed errors; anything else as it is. */
function fromPowertools(err: unknown): unknown {
  if (err instanceof AppError || !(err instanceof Error)) return err;
  switch (err.name) {
    case 'IdempotencyValidationError':
      return new IdempotencyKeyReusedError();
    case 'IdempotencyAlreadyInProgressError':
      return new IdempotencyInProgressError();
    default: {
      // A persistence failure wraps the table's own error (e.g. TableUnavailableError): answer that.
      for (let cause: unknown = err.cause, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
        if (cause instanceof AppError) return cause;
      }
      return err;
    }
  }
}
