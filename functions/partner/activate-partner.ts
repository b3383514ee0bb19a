// POST /v1/partner/activate — links the caller to the partner whose invite token they bring.
import { table } from '../../shared/db/client';
import { partnerAccountsRepository } from '../../shared/db/partner-accounts';
import { partnersRepository } from '../../shared/db/partners';
import { activatePartner as activate } from '../../shared/domain/partner-portal';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { activatePartner } from '../../lib/routes/partner';

const deps = { partners: partnersRepository(table()), accounts: partnerAccountsRepository(table()) };

export const handler = route(activatePartner, async ({ caller, body }) => ok(await activate(deps, caller.id, body.inviteToken)));
