// GET /v1/me/calls/{callId} — one of the caller's calls (the summary email's deep link).
import { callsRepository } from '../../shared/db/calls';
import { table } from '../../shared/db/client';
import { toolCallsRepository } from '../../shared/db/tool-calls';
import { getCall as get } from '../../shared/domain/calls';
import { ok } from '../../shared/http/reply';
import { getCall } from '../../lib/routes/me';
import { route } from '../../shared/app/key-route';

const deps = { calls: callsRepository(table()), toolCalls: toolCallsRepository(table()) };

export const handler = route(getCall, async ({ caller, params }) => ok(await get(deps, caller.id, params.callId)));
