// POST /v1/admin/hotline-numbers — imports the local numbers routed to Fonella's Sipgate hotline trunk
// into the hotline pool, as free numbers of their area code, and gives them to waiting hotlines.
import { table } from '../../shared/db/client';
import { hotlineNumbersRepository } from '../../shared/db/hotline-numbers';
import { importHotlineNumbers as importNumbers } from '../../shared/domain/hotline-numbers';
import { ok } from '../../shared/http/reply';
import { auditAdmin } from '../../shared/observability/audit';
import { configuredJambonz } from '../../shared/providers/jambonz';
import { configuredSipgate, sipgateConfig } from '../../shared/providers/sipgate';
import { importHotlineNumbers } from '../../lib/routes/admin';
import { route } from '../../shared/app/admin-route';

const sipgate = sipgateConfig();
const deps = {
  telephony: configuredSipgate(),
  jambonz: configuredJambonz(),
  numbers: hotlineNumbersRepository(table()),
  sipgateUserId: sipgate.userId,
  hotlineTrunkDeviceId: sipgate.hotlineTrunkDeviceId,
};

export const handler = route(importHotlineNumbers, async ({ caller }) => {
  auditAdmin(caller.id, 'importHotlineNumbers', 'hotline-numbers');
  return ok(await importNumbers(deps));
});
