// The composition of the API's routes: the one place that builds what the request stack takes as
// ports and hands it in. A handler that uses the table takes `route` from here; a table-free one
// (health, plans) takes shared/http/route.ts's own, so its bundle carries no AWS SDK.
import { table } from '../db/client';
import { teardownsRepository } from '../db/teardowns';
import type { AccountStateReader } from '../domain/account-state';
import { route as stackRoute, type RouteInput, type RoutePorts } from '../http/route';
import type { RouteDef } from '../http/route-def';

let accounts: ReturnType<typeof teardownsRepository> | undefined;

/** The account gate's reader: the caller's teardown record, through this function's table client. */
export const accountState: AccountStateReader = (userId) => (accounts ??= teardownsRepository(table())).accountState(userId);

/** The ports of a route that uses the table (idempotent routes add theirs: ./idempotent-route.ts). */
export const tablePorts: RoutePorts = { accountState };

/** A handler for the manifest entry `def`, composed with the table's account state reader. */
export const route: typeof stackRoute = (def, impl, ports) => stackRoute(def, impl, { ...tablePorts, ...ports });

export type { RouteInput, RouteDef };
