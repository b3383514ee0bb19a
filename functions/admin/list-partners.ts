// GET /v1/admin/partners — the partners, newest first, a page at a time.
import { table } from '../../shared/db/client';
import { partnersRepository } from '../../shared/db/partners';
import { listPartners as list } from '../../shared/domain/partners';
import { ok } from '../../shared/http/reply';
import { auditAdmin } from '../../shared/observability/audit';
import { listPartners } from '../../lib/routes/admin';
import { route } from '../../shared/app/admin-route';

const deps = { partners: partnersRepository(table()) };

export const handler = route(listPartners, async ({ caller, query }) => {
  auditAdmin(caller.id, 'listPartners', 'partners');
  return ok(await list(deps, query));
});
