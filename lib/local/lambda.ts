// What the local runtime shares with Lambda's invoke: the handler files loaded once (a cold start per
// file, as on Lambda), the context object a handler receives, and each invocation's own scope.
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { FUNCTION_MEMORY_MB } from '../bundling';

// On Lambda one instance serves one request at a time; here every handler runs in one process,
// requests side by side. Declaring concurrency the way Lambda's multi-concurrency runtime does makes
// Powertools keep its per-invocation state (the logger's keys and context) in the invoke store, and
// `invoke` gives every invocation a scope of its own, so concurrent requests never share log keys.
process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
// Lambda tells a function how its instance started; without it Powertools never logs cold_start: true.
process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
(globalThis as { awslambda?: object }).awslambda ??= {};
const store = InvokeStore.getInstanceAsync();
let ready: InvokeStoreBase | undefined;
void store.then((s) => (ready = s));

/** The Lambda request id of the invocation this code runs in (./trace.ts attributes what it sees), if any. */
export function currentInvocationId(): string | undefined {
  return ready?.hasContext() ? ready.getRequestId() : undefined;
}

/** Runs one invocation of a handler in its own scope, as Lambda runs it in its own instance. */
export async function invoke<T>(context: Context, run: () => Promise<T>): Promise<T> {
  return (await store).run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId }, run);
}

/** Loads `export const handler` from a file under `root`, once per file. */
export function handlerLoader<H>(root: string): (file: string) => Promise<H> {
  const loaded = new Map<string, Promise<H>>();
  return (file) => {
    let h = loaded.get(file);
    if (!h) {
      h = import(pathToFileURL(join(root, file)).href).then((m: { handler: H }) => m.handler);
      loaded.set(file, h);
    }
    return h;
  };
}

export function lambdaContext(name: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `fonella-local-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:fonella-local-${name}`,
    memoryLimitInMB: String(FUNCTION_MEMORY_MB),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/fonella-local-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Resolves with the promise's value, or undefined once `ms` have passed. */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}
