// Records every command the handlers' DynamoDB clients send (shared/db/client.ts hook), for tests that
// assert what a request does to the table. Call before the stack starts: a client gets the hook
// when it is created, on the first request of its function.
import { observeDynamoClients } from '../../shared/db/client';

export interface TableCommand {
  /** The SDK's command name without the `Command` suffix: GetItem, Query, Put... */
  name: string;
  input: Record<string, unknown>;
}

export function recordTableCommands(): { sent: TableCommand[]; stop(): void } {
  const sent: TableCommand[] = [];
  observeDynamoClients((client) =>
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ name: String(context.commandName ?? 'unknown').replace(/Command$/, ''), input: args.input as Record<string, unknown> });
        return next(args);
      },
      { step: 'initialize', name: 'recordTableCommands' },
    ),
  );
  return { sent, stop: () => observeDynamoClients(undefined) };
}
