// GET /v1/partner — the caller's partner account, referred customers and commission.
import { appConfig } from '../../shared/config/app';
import { plansConfig } from '../../shared/config/plans';
import { table } from '../../shared/db/client';
import { partnerAccountsRepository } from '../../shared/db/partner-accounts';
import { partnerOverview } from '../../shared/domain/partner-portal';
import { partnerRoute } from '../../shared/app/partner-route';
import { ok } from '../../shared/http/reply';
import { getPartner } from '../../lib/routes/partner';

const deps = { accounts: partnerAccountsRepository(table()), plans: plansConfig().plans, portalUrl: appConfig().portalUrl };

export const handler = partnerRoute(getPartner, async ({ partner }) => ok(await partnerOverview(deps, partner)));
