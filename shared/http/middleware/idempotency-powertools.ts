// The runner behind ./idempotency.ts: Powertools' `makeIdempotent` around the handler's work, with
// one persistence layer per route (shared/db/client.ts builds it on the table), and Powertools'
// errors answered as our typed ones.
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import { AppError, IdempotencyInProgressError, IdempotencyKeyReusedError } from '../../errors';
import { IDEMPOTENCY_TTL_SECONDS, type IdempotencyRunner, type IdempotentPayload } from './idempotency';

export function powertoolsIdempotency(storeFor: (routeName: string) => BasePersistenceLayer): IdempotencyRunner {
  const stores = new Map<string, BasePersistenceLayer>();
  return async ({ route, payload, context, exec }) => {
    let store = stores.get(route);
    if (!store) stores.set(route, (store = storeFor(route)));
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      payloadValidationJmesPath: 'request',
      throwOnNoIdempotencyKey: false,
      expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
      // A record in progress holds its key until this invocation's time is up. One config per
      // request: the local runtime runs concurrent invocations in one process.
      lambdaContext: context,
    });
    const once = makeIdempotent(async (_payload: IdempotentPayload) => exec(), {
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
