// GET /v1/me/exports/{exportId} — one of the caller's exports; once ready, short-lived download links.
import { exportLimitsConfig } from '../../shared/config/exports';
import { table } from '../../shared/db/client';
import { exportsRepository } from '../../shared/db/exports';
import { getExport as get } from '../../shared/domain/data-export';
import { ok } from '../../shared/http/reply';
import { configuredExportFiles } from '../../shared/providers/s3';
import { getExport } from '../../lib/routes/me';
import { route } from '../../shared/app/route';

const deps = { exports: exportsRepository(table()), files: configuredExportFiles(), limits: exportLimitsConfig() };

export const handler = route(getExport, async ({ caller, params }) => ok(await get(deps, caller.id, params.exportId)));
