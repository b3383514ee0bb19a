// DELETE /v1/me/calls/{callId} — the caller deletes one of their calls: it is hidden at once and the
// purgeCall worker removes it at Vapi and here.
import { callDeletionsRepository } from '../../shared/db/call-deletions';
import { callsRepository } from '../../shared/db/calls';
import { table } from '../../shared/db/client';
import { requestCallDeletion } from '../../shared/domain/call-deletion';
import { accepted } from '../../shared/http/reply';
import { deleteCall } from '../../lib/routes/me';
import { route } from '../../shared/app/route';

const deps = { calls: callsRepository(table()), deletions: callDeletionsRepository(table()) };

export const handler = route(deleteCall, async ({ caller, params }) => accepted(await requestCallDeletion(deps, caller.id, params.callId)));
