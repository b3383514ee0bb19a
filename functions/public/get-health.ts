// GET /v1/health — liveness for monitors and the marketing site.
import { appConfig } from '../../shared/config/app';
import { ok } from '../../shared/http/reply';
import { getHealth } from '../../lib/routes';
import { route } from '../../shared/http/route';

export const handler = route(getHealth, async () => {
  const { service, stage } = appConfig();
  return ok({ status: 'ok' as const, service, stage, timestamp: new Date().toISOString() });
});
