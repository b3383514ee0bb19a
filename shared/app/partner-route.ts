// `partnerRoute(def, impl)`: a route of the partner portal. Before the use case runs, the caller's
// link to a partner is looked up by the caller's id (one BatchGetItem with the caller's account state:
// the route's gate, `accountState: 'in-partition-read'` in its manifest entry; then the partner's row)
// and the partner must be active; otherwise 403 `partner-required`. The use case gets the partner's row.
import { table } from '../db/client';
import { itemsReader } from '../db/get-items';
import { partnersRepository, type PartnerRow } from '../db/partners';
import { activePartner } from '../domain/partner-portal';
import type { Reply } from '../http/reply';
import type { RouteDef } from '../http/route-def';
import { route, type RouteInput } from './route';

export function partnerRoute<R extends RouteDef & { access: 'partner'; accountState: 'in-partition-read' }>(
  def: R,
  impl: (input: RouteInput<R> & { partner: PartnerRow }) => Promise<Reply>,
) {
  const deps = { partners: partnersRepository(table()), read: itemsReader(table()) };
  return route(def, (async (input: RouteInput<R>) => impl({ ...input, partner: await activePartner(deps, input.caller!.id) })) as never);
}
