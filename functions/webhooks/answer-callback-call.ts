// POST /v1/webhooks/jambonz/callback/call — the verbs jambonz runs next for a test callback's call: the
// locale's Vapi assistant over SIP (the signature is checked by the stack before this runs).
import { callbackSipConfig } from '../../shared/config/callback';
import { callbacksRepository } from '../../shared/db/callbacks';
import { table } from '../../shared/db/client';
import { answerCallbackCall as answer } from '../../shared/domain/callback-calls';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { answerCallbackCall } from '../../lib/routes/webhooks';

const deps = { callbacks: callbacksRepository(table()), sipUris: callbackSipConfig() };

export const handler = route(answerCallbackCall, async ({ body }) => ok(await answer(deps, body)));
