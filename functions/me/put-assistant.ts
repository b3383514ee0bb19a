// PUT /v1/me/assistant — creates the caller's Vapi assistant on the first call (and assigns a pool
// number when their plan includes one), updates it on later calls.
import { assistantConfig } from '../../shared/config/assistant';
import { plansConfig } from '../../shared/config/plans';
import { toolConfig } from '../../shared/config/tools';
import { webhookConfig } from '../../shared/config/webhooks';
import { assistantsRepository } from '../../shared/db/assistants';
import { table } from '../../shared/db/client';
import { poolAssignments } from '../../shared/db/pool';
import { toolsRepository } from '../../shared/db/tools';
import { usersRepository } from '../../shared/db/users';
import { putAssistant as put } from '../../shared/domain/assistant';
import { ok } from '../../shared/http/reply';
import { configuredVapi, vapiConfig } from '../../shared/providers/vapi';
import { putAssistant } from '../../lib/routes/me';
import { route } from '../../shared/app/route';

const assistant = assistantConfig();
const deps = {
  users: usersRepository(table()),
  assistants: assistantsRepository(table()),
  pool: poolAssignments(table()),
  vapi: configuredVapi(),
  speech: assistant.speech,
  prompts: assistant.prompts,
  server: { url: vapiConfig().serverUrl, secret: webhookConfig().vapiSecret },
  tools: toolsRepository(table()),
  toolTimeoutMaxSeconds: toolConfig().timeoutSeconds.max,
  plans: plansConfig().plans,
};

export const handler = route(putAssistant, async ({ caller, body }) => ok(await put(deps, caller, body)));
