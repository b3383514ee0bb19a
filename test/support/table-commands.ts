// A tap on every command the handlers' DynamoDB clients send (shared/db/client.ts hook), for tests
// that assert what a request does to the table, make one kind of command fail, or hold one until the
// test lets it go (a listener's promise delays the command until it settles). A client gets the hook
// when it is created, on the first request of its function, and the handlers stay loaded from one
// file to the next in a worker: so the tap is laid once per worker, before its stack starts
// (`workerStack` does it), and files listen to it for as long as they need.
import { observeDynamoClients } from '../../shared/db/client';

export interface TableCommand {
  /** The SDK's command name without the `Command` suffix: GetItem, Query, Put... */
  name: string;
  input: Record<string, unknown>;
}

/** Sees every command before it is sent; throwing (or rejecting) fails the command with that error, a promise holds it until it settles. */
export type TableListener = (command: TableCommand) => void | Promise<void>;

const KEY = Symbol.for('fonella.test.table-listeners');

function listeners(): Set<TableListener> {
  const worker = globalThis as Record<symbol, Set<TableListener> | undefined>;
  let set = worker[KEY];
  if (!set) {
    const created = new Set<TableListener>();
    set = worker[KEY] = created;
    observeDynamoClients((client) =>
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const command = { name: String(context.commandName ?? 'unknown').replace(/Command$/, ''), input: args.input as Record<string, unknown> };
          for (const listen of created) await listen(command);
          return next(args);
        },
        { step: 'initialize', name: 'testTableTap' },
      ),
    );
  }
  return set;
}

/** Lays the tap: every table client created from now on reports its commands. */
export function tapTableClients(): void {
  listeners();
}

/** Listens to the handlers' table commands until the answer is called. */
export function onTableCommand(listen: TableListener): () => void {
  const set = listeners();
  set.add(listen);
  return () => set.delete(listen);
}

/** Records the handlers' table commands from now until `stop()`. */
export function recordTableCommands(): { sent: TableCommand[]; stop(): void } {
  const sent: TableCommand[] = [];
  return { sent, stop: onTableCommand((c) => void sent.push(c)) };
}

/** A promise the test settles by hand. */
export function latch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/**
 * Holds the first command `matches` picks until `release` is called; `reached` settles when it was
 * sent. Later matching commands (a retry) pass.
 */
export function holdTableCommand(matches: (c: TableCommand, text: string) => boolean) {
  const reached = latch();
  const released = latch();
  let held = false;
  const stop = onTableCommand(async (c) => {
    if (held || !matches(c, JSON.stringify(c.input))) return;
    held = true;
    reached.open();
    await released.opened;
  });
  return { reached: reached.opened, release: released.open, stop };
}
