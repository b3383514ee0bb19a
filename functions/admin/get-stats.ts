// GET /v1/admin/stats — the dashboard's KPIs: the hour's snapshot, or computed again from the counters.
import { plansConfig } from '../../shared/config/plans';
import { table } from '../../shared/db/client';
import { statsRepository } from '../../shared/db/stats';
import { getStats as get } from '../../shared/domain/stats';
import { ok } from '../../shared/http/reply';
import { auditAdmin } from '../../shared/observability/audit';
import { getStats } from '../../lib/routes/admin';
import { route } from '../../shared/app/admin-route';

const deps = { stats: statsRepository(table()), plans: plansConfig().plans };

export const handler = route(getStats, async ({ caller, query }) => {
  auditAdmin(caller.id, 'getStats', 'stats', { refresh: query.refresh !== undefined });
  return ok(await get(deps, { refresh: query.refresh !== undefined }));
});
