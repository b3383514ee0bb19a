// GET /v1/admin/hotline-numbers — the hotline pool's numbers with their area code and assignment, a page at a time.
import { table } from '../../shared/db/client';
import { hotlineNumbersRepository } from '../../shared/db/hotline-numbers';
import { listHotlineNumbers as list } from '../../shared/domain/hotline-numbers';
import { ok } from '../../shared/http/reply';
import { auditAdmin } from '../../shared/observability/audit';
import { listHotlineNumbers } from '../../lib/routes/admin';
import { route } from '../../shared/app/admin-route';

const deps = { numbers: hotlineNumbersRepository(table()) };

export const handler = route(listHotlineNumbers, async ({ caller, query }) => {
  auditAdmin(caller.id, 'listHotlineNumbers', 'hotline-numbers');
  return ok(await list(deps, query));
});
