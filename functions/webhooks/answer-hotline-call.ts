// POST /v1/webhooks/jambonz/hotlines/{hotlineID}/call — the verbs jambonz runs next for a hotline's call
// (the signature is checked by the stack before this runs).
import { table } from '../../shared/db/client';
import { hotlineCallDeps } from '../../shared/app/hotline-call-deps';
import { answerCallHook } from '../../shared/domain/hotline-calls';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { answerHotlineCall } from '../../lib/routes/hotlines';

const deps = hotlineCallDeps(table());

export const handler = route(answerHotlineCall, async ({ params, body }) => ok(await answerCallHook(deps, params.hotlineID, body)));
