// The idempotency store of the routes flagged `idempotent`: their records live in the single table,
// beside the rows they create: pk IDEMPOTENCY#<route>, sk <route>#<hash of the key>, deleted by the
// table's TTL. Only those routes' handlers import this module (`import '.../idempotency-store'`), so
// only their bundles carry Powertools idempotency (~45 kB minified); package.json lists it as a
// module with side effects so the bare import is kept.
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { provideIdempotencyRunner } from '../http/middleware/idempotency';
import { powertoolsIdempotency } from '../http/middleware/idempotency-powertools';
import { table } from './client';
import { TABLE } from './table';

provideIdempotencyRunner(
  powertoolsIdempotency(
    (routeName) =>
      new DynamoDBPersistenceLayer({
        tableName: table().tableName,
        awsSdkV3Client: table().client,
        keyAttr: TABLE.partitionKey,
        sortKeyAttr: TABLE.sortKey,
        staticPkValue: `IDEMPOTENCY#${routeName}`,
        expiryAttr: TABLE.ttlAttribute,
      }),
  ),
);
