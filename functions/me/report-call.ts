// POST /v1/me/call-reports — the caller reports one of their calls for review; the row is stored and
// the notifyCallReport worker emails the review team.
import { callReportsRepository } from '../../shared/db/call-reports';
import { callsRepository } from '../../shared/db/calls';
import { table } from '../../shared/db/client';
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
};

export const handler = route(reportCall, async ({ caller, body, headers }) =>
  accepted(await report(deps, { caller, report: body, acceptLanguage: headers['accept-language'] })),
);
