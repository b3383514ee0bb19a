// POST /v1/me/referral — the partner who referred the caller, saved once.
import { table } from '../../shared/db/client';
import { itemsReader } from '../../shared/db/get-items';
import { partnerAccountsRepository } from '../../shared/db/partner-accounts';
import { partnersRepository } from '../../shared/db/partners';
import { saveReferral as save } from '../../shared/domain/partner-portal';
import { ok } from '../../shared/http/reply';
import { route } from '../../shared/app/route';
import { saveReferral } from '../../lib/routes/me';

const deps = { partners: partnersRepository(table()), accounts: partnerAccountsRepository(table()), read: itemsReader(table()) };

export const handler = route(saveReferral, async ({ caller, body }) => ok((await save(deps, caller.id, body.refId)).referral));
