// The DynamoDB document client of a function, created once per cold start from the table config.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableConfig } from '../config/table';

export interface TableRef {
  doc: DynamoDBDocumentClient;
  tableName: string;
}

let cached: TableRef | undefined;
let onClient: ((client: DynamoDBClient) => void) | undefined;

/**
 * Local tooling only, never set on Lambda: `hook` sees every client `tableRef` creates from now on
 * (the bench adds a middleware that counts table round trips). It imports nothing: a bundle grows by a few bytes.
 */
export function observeDynamoClients(hook: ((client: DynamoDBClient) => void) | undefined): void {
  onClient = hook;
}

export function table(): TableRef {
  if (!cached) {
    const c = tableConfig();
    cached = tableRef({ tableName: c.tableName, endpoint: c.endpoint, region: c.region });
  }
  return cached;
}

/** A table reference from explicit settings (tests, the local runtime). */
export function tableRef(opts: { tableName: string; endpoint?: string; region?: string }): TableRef {
  const client = new DynamoDBClient({
    region: opts.region ?? 'eu-central-1',
    ...(opts.endpoint
      ? // DynamoDB Local accepts any credentials; fixed ones keep the local stack independent of ~/.aws.
        { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  onClient?.(client);
  return {
    tableName: opts.tableName,
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
  };
}
