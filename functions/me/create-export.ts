// POST /v1/me/exports — the caller asks for an export of everything held about their account; the
// produceExport worker makes it and emails them when it is ready.
import { exportLimitsConfig } from '../../shared/config/exports';
import { table } from '../../shared/db/client';
import { exportsRepository } from '../../shared/db/exports';
import { rateLimitsRepository } from '../../shared/db/rate-limits';
import { requestExport } from '../../shared/domain/data-export';
import { accepted } from '../../shared/http/reply';
import { createExport } from '../../lib/routes/me';
import { route } from '../../shared/app/route';

const deps = { exports: exportsRepository(table()), rateLimits: rateLimitsRepository(table()), limits: exportLimitsConfig() };

export const handler = route(createExport, async ({ caller }) => accepted(await requestExport(deps, caller)));
