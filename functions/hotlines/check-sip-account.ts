// GET /v1/organizations/{id}/sip-account — whether the organisation's SIP account is ready.
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { sipAccountExists } from '../../shared/domain/hotlines';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { checkSipAccount } from '../../lib/routes/hotlines';

const deps = { read: itemsReader(table()) };

export const handler = route(checkSipAccount, async ({ caller, params }) => ok(await sipAccountExists(deps, caller, params.id)));
