// The composition of the routes the manifest flags `idempotent`: the table's ports and the
// Idempotency-Key runner, Powertools idempotency with its records in the single table (pk
// IDEMPOTENCY#<route>, sk <route>#<hash of the key>, deleted by the table's TTL:
// shared/db/idempotency-records.ts). Only those routes' handlers import this module; Powertools
// itself loads at the first request with a key (shared/http/middleware/idempotency-powertools.ts).
import { table } from '../db/client';
import { idempotencyRecordsRepository } from '../db/idempotency-records';
import { powertoolsIdempotency } from '../http/middleware/idempotency-powertools';
import { route as stackRoute } from '../http/route';
import { tablePorts } from './route';

const idempotency = powertoolsIdempotency((routeName) => idempotencyRecordsRepository(table(), routeName));

/** A handler for an idempotent manifest entry, composed with the table's ports and the idempotency runner. */
export const route: typeof stackRoute = (def, impl, ports) => stackRoute(def, impl, { ...tablePorts, idempotency, ...ports });
