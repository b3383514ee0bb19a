// POST /v1/admin/partners — invites a partner: the row and its public code now, the email from the stream.
import { table } from '../../shared/db/client';
import { partnersRepository } from '../../shared/db/partners';
import { invitePartner as invite } from '../../shared/domain/partners';
import { created } from '../../shared/http/reply';
import { auditAdmin } from '../../shared/observability/audit';
import { invitePartner } from '../../lib/routes/admin';
import { route } from '../../shared/app/admin-route';

const deps = { partners: partnersRepository(table()) };

export const handler = route(invitePartner, async ({ caller, body }) => {
  const partner = await invite(deps, body, caller.id);
  auditAdmin(caller.id, 'invitePartner', `partner:${partner.partnerId}`);
  return created(partner);
});
