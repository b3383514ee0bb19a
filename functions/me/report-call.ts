// POST /v1/me/call-reports — the caller reports one of their calls for review, within the limits per
// call and per caller and day; the row is stored and the notifyCallReport worker emails the review team.
import { rateLimitConfig } from '../../shared/config/rate-limits';
import { callReportsRepository } from '../../shared/db/call-reports';
import { callsRepository } from '../../shared/db/calls';
import { table } from '../../shared/db/client';
import { rateLimitsRepository } from '../../shared/db/rate-limits';
import { usersRepository } from '../../shared/db/users';
import { reportCall as report } from '../../shared/domain/call-report';
import { accepted } from '../../shared/http/reply';
import { route } from '../../shared/app/idempotent-route';
import { reportCall } from '../../lib/routes/me';

const users = usersRepository(table());
const deps = {
  calls: callsRepository(table()),
  callReports: callReportsRepository(table()),
  settings: (userId: string) => users.findSettings(userId),
  rateLimits: rateLimitsRepository(table()),
  limits: { perCall: rateLimitConfig().callReportPerCall, perUser: rateLimitConfig().callReportPerUser },
};

export const handler = route(reportCall, async ({ caller, body, headers }) =>
  accepted(await report(deps, { caller, report: body, acceptLanguage: headers['accept-language'] })),
);
