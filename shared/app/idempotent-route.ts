// The composition of the routes the manifest flags `idempotent`: the table's ports and the
// Idempotency-Key runner, Powertools idempotency with its records in the single table (pk
// IDEMPOTENCY#<route>, sk <route>#<hash of the key>, deleted by the table's TTL). Only those routes'
// handlers import this module, so only their bundles carry Powertools idempotency (~45 kB minified).
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { table } from '../db/client';
import { TABLE } from '../db/table';
import { powertoolsIdempotency } from '../http/middleware/idempotency-powertools';
import { route as stackRoute } from '../http/route';
import { tablePorts } from './route';

const idempotency = powertoolsIdempotency(
  (routeName) =>
    new DynamoDBPersistenceLayer({
      tableName: table().tableName,
      awsSdkV3Client: table().client,
      keyAttr: TABLE.partitionKey,
      sortKeyAttr: TABLE.sortKey,
      staticPkValue: `IDEMPOTENCY#${routeName}`,
      expiryAttr: TABLE.ttlAttribute,
    }),
);

/** A handler for an idempotent manifest entry, composed with the table's ports and the idempotency runner. */
export const route: typeof stackRoute = (def, impl, ports) => stackRoute(def, impl, { ...tablePorts, idempotency, ...ports });
