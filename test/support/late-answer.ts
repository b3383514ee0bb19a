// A table client whose first attempt of each update goes wrong, for the table client's retry
// (shared/db/client.ts): `late`, the attempt reaches DynamoDB Local but its answer is lost as if it
// came too late (`meanwhile` runs between the two, as another writer would); `throttled`, the table
// refuses it before applying anything. The SDK then sends the update again.
import { tableRef, type TableRef } from '../../shared/db/client';
import { TableUnavailableError } from '../../shared/errors';
import type { TestStack } from './stack';

export function firstUpdateGoesWrong(stack: TestStack, how: 'late' | 'throttled' = 'late', meanwhile?: () => Promise<unknown>): TableRef {
  const t = tableRef({ tableName: stack.table.tableName, endpoint: stack.dynamoEndpoint });
  const sent = new WeakSet<object>();
  t.client.middlewareStack.add(
    (next, context) => async (args) => {
      const first = context.commandName === 'UpdateItemCommand' && !sent.has(args.input as object);
      sent.add(args.input as object);
      if (first && how === 'throttled') throw Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
      const result = await next(args);
      if (first) {
        await meanwhile?.();
        throw Object.assign(new Error('the answer came too late'), { name: 'TimeoutError' });
      }
      return result;
    },
    // Inside the retry step: each attempt passes here.
    { step: 'finalizeRequest', name: 'firstUpdateGoesWrong', priority: 'low' },
  );
  return t;
}

/**
 * `repo` whose `method` writes as it does and then answers TableUnavailableError, as the table client
 * does when every attempt's answer came too late: the write is there, its caller does not know it.
 */
export function answerLost<R extends object>(repo: R, method: keyof R & string, command: string): R {
  const real = repo[method] as (...args: unknown[]) => Promise<unknown>;
  return {
    ...repo,
    [method]: async (...args: unknown[]) => {
      await real(...args);
      throw new TableUnavailableError(command);
    },
  };
}
