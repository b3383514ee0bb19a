// GET /v1/health — liveness for monitors and the marketing site. `?deep=1` also reads the table once
// (for the status page and the 5xx alarm: an outage answers 503 here even when no customer calls).
import { appConfig } from '../../shared/config/app';
import { AppError } from '../../shared/errors';
import { ok } from '../../shared/http/reply';
import { getHealth } from '../../lib/routes/public';
import { route } from '../../shared/http/route';

/** How long the deep check waits for the table: far below the function's timeout and a monitor's. */
const TABLE_TIMEOUT_MS = 1500;

export const handler = route(getHealth, async ({ query }) => {
  const { service, stage } = appConfig();
  const health = { status: 'ok' as const, service, stage, timestamp: new Date().toISOString() };
  if (query.deep !== '1' && query.deep !== 'true') return ok(health);

  // Imported here, so a shallow check never evaluates the AWS SDK (esbuild keeps it in the one bundle
  // but defers running it to the first deep check).
  const [{ table }, { healthRepository }] = await Promise.all([import('../../shared/db/client'), import('../../shared/db/health')]);
  const { outcome, cause } = await healthRepository(table()).probe(TABLE_TIMEOUT_MS);
  if (outcome !== 'ok') {
    const how = outcome === 'timeout' ? `no answer within ${TABLE_TIMEOUT_MS} ms` : 'the read failed';
    throw new AppError(503, 'unhealthy', 'Service unhealthy', `Failed check: table (${how}).`, { cause });
  }
  return ok({ ...health, checks: { table: 'ok' as const } });
});
