// GET /v1/admin/pool-numbers — the pool's numbers with their assignment, a page at a time.
import { table } from '../../shared/db/client';
import { poolRepository } from '../../shared/db/pool';
import { listPoolNumbers as list } from '../../shared/domain/pool-numbers';
import { ok } from '../../shared/http/reply';
import { auditAdmin } from '../../shared/observability/audit';
import { listPoolNumbers } from '../../lib/routes/admin';
import { route } from '../../shared/app/admin-route';

const deps = { pool: poolRepository(table()) };

export const handler = route(listPoolNumbers, async ({ caller, query }) => {
  auditAdmin(caller.id, 'listPoolNumbers', 'pool');
  return ok(await list(deps, query));
});
