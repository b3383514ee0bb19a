// PUT /v1/partner/payout-details — the partner's bank account (sealed) and billing address.
import { payoutKeyRing } from '../../shared/crypto/envelope';
import { table } from '../../shared/db/client';
import { partnerAccountsRepository } from '../../shared/db/partner-accounts';
import { savePayoutDetails as save } from '../../shared/domain/partner-portal';
import { partnerRoute } from '../../shared/app/partner-route';
import { ok } from '../../shared/http/reply';
import { savePayoutDetails } from '../../lib/routes/partner';

const deps = { accounts: partnerAccountsRepository(table()), keys: payoutKeyRing() };

export const handler = partnerRoute(savePayoutDetails, async ({ partner, body }) => ok(await save(deps, partner, body)));
