// GET /v1/public/plans — the three plans, from config.
import { plansConfig } from '../../shared/config/plans';
import { ok } from '../../shared/http/reply';
import { listPlans } from '../../lib/routes/public';
import { route } from '../../shared/http/route';

export const handler = route(listPlans, async () => ok({ plans: plansConfig().plans }));
