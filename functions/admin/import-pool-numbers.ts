// POST /v1/admin/pool-numbers — imports the numbers routed to Fonella's Sipgate trunk into the pool,
// as free numbers; numbers the pool has already are left as they are.
import { table } from '../../shared/db/client';
import { poolRepository } from '../../shared/db/pool';
import { importPoolNumbers as importNumbers } from '../../shared/domain/pool-numbers';
import { ok } from '../../shared/http/reply';
import { auditAdmin } from '../../shared/observability/audit';
import { configuredSipgate, sipgateConfig } from '../../shared/providers/sipgate';
import { importPoolNumbers } from '../../lib/routes/admin';
import { route } from '../../shared/app/admin-route';

const deps = {
  telephony: configuredSipgate(),
  pool: poolRepository(table()),
  trunkDeviceId: sipgateConfig().trunkDeviceId,
};

export const handler = route(importPoolNumbers, async ({ caller }) => {
  auditAdmin(caller.id, 'importPoolNumbers', 'pool');
  return ok(await importNumbers(deps));
});
