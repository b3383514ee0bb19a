// PATCH /v1/admin/partners/{partnerId} — a partner's commission or status.
import { table } from '../../shared/db/client';
import { partnersRepository } from '../../shared/db/partners';
import { updatePartner as update } from '../../shared/domain/partners';
import { ok } from '../../shared/http/reply';
import { auditAdmin } from '../../shared/observability/audit';
import { updatePartner } from '../../lib/routes/admin';
import { route } from '../../shared/app/admin-route';

const deps = { partners: partnersRepository(table()) };

export const handler = route(updatePartner, async ({ caller, params, body }) => {
  auditAdmin(caller.id, 'updatePartner', `partner:${params.partnerId}`, { fields: Object.keys(body) });
  return ok(await update(deps, params.partnerId, body));
});
