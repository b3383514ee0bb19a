// POST /v1/webhooks/jambonz/callback/status — a test callback's call status onto its request's row
// (the signature is checked by the stack before this runs).
import { callbacksRepository } from '../../shared/db/callbacks';
import { table } from '../../shared/db/client';
import { recordCallbackCallStatus } from '../../shared/domain/callback-calls';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { receiveCallbackCallStatus } from '../../lib/routes/webhooks';

const deps = { callbacks: callbacksRepository(table()) };

export const handler = route(receiveCallbackCallStatus, async ({ body }) => {
  await recordCallbackCallStatus(deps, body);
  return ok({});
});
