// POST /v1/webhooks/vapi — Vapi's server messages: an end-of-call report becomes the owner's call, kept as
// their retention settings say; a `tool-calls` message is answered with the results of the customer's tools.
import { toolCallDeps } from '../../shared/app/tool-calls';
import { assistantsRepository } from '../../shared/db/assistants';
import { callsRepository } from '../../shared/db/calls';
import { table } from '../../shared/db/client';
import { usersRepository } from '../../shared/db/users';
import { retentionConfig } from '../../shared/config/retention';
import { receiveVapiMessage as receive } from '../../shared/domain/calls';
import { answerToolCalls } from '../../shared/domain/tool-calls';
import { ok } from '../../shared/http/reply';
import { receiveVapiMessage } from '../../lib/routes/webhooks';
import { route } from '../../shared/app/route';

const deps = {
  assistants: assistantsRepository(table()),
  calls: callsRepository(table()),
  users: usersRepository(table()),
  callRetention: retentionConfig().calls,
};
const tools = toolCallDeps();

export const handler = route(receiveVapiMessage, async ({ body }) => {
  if (body.message.type === 'tool-calls') return ok(await answerToolCalls(tools, body.message));
  await receive(deps, body.message);
  return ok({});
});
