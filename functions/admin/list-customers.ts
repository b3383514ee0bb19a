// GET /v1/admin/customers — the customers newest first, or those a search finds, a page at a time.
import { retentionConfig } from '../../shared/config/retention';
import { table } from '../../shared/db/client';
import { apiKeyCounts } from '../../shared/db/api-keys';
import { customerIndexRepository } from '../../shared/db/customers';
import { listCustomers as list } from '../../shared/domain/customers';
import { ok } from '../../shared/http/reply';
import { auditAdmin } from '../../shared/observability/audit';
import { listCustomers } from '../../lib/routes/admin';
import { route } from '../../shared/app/admin-route';

const deps = { customers: customerIndexRepository(table()), apiKeyCounts: apiKeyCounts(table()), callRetention: retentionConfig().calls };

export const handler = route(listCustomers, async ({ caller, query }) => {
  // The search text names people: the audit keeps only that there was one.
  auditAdmin(caller.id, 'listCustomers', 'customers', { search: query.q !== undefined });
  return ok(await list(deps, query));
});
