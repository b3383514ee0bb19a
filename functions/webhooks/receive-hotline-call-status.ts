// POST /v1/webhooks/jambonz/hotlines/{hotlineID}/status — a call status event into the call's log and record
// (the signature is checked by the stack before this runs).
import { table } from '../../shared/db/client';
import { hotlineCallDeps } from '../../shared/app/hotline-call-deps';
import { recordCallStatus } from '../../shared/domain/hotline-calls';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { receiveHotlineCallStatus } from '../../lib/routes/hotlines';

const deps = hotlineCallDeps(table());

export const handler = route(receiveHotlineCallStatus, async ({ params, body }) => {
  await recordCallStatus(deps, params.hotlineID, body);
  return ok({});
});
