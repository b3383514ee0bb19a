// Schemas of the public routes the marketing site calls.
import * as z from '../zod';
import { Plan } from '../config/plans';
import { Email, isoDateTime, line, paragraph } from './common';

/** `deep=1` (or `true`) also checks that the table answers; `0`, `false` or none: the cheap check. */
export const HealthQuery = z.strictObject({
  deep: z.optional(
    z.enum(['1', 'true', '0', 'false']).register(z.globalRegistry, {
      description: '`1` or `true`: also check that the table answers (one read, bounded by a short timeout).',
    }),
  ),
});

export const HealthResponse = z
  .object({
    status: z.literal('ok'),
    service: z.string(),
    stage: z.string(),
    timestamp: isoDateTime,
    /** Only with `deep`: each dependency checked, all `ok` (a failed one answers 503 instead). */
    checks: z.optional(z.object({ table: z.literal('ok') })),
  })
  .register(z.globalRegistry, { id: 'Health' });

export const PlansResponse = z.object({ plans: z.array(Plan) }).register(z.globalRegistry, { id: 'Plans' });

export const ContactRequest = z
  .strictObject({
    name: line(200),
    email: Email,
    company: z.optional(line(200)),
    message: paragraph(5000),
  })
  .register(z.globalRegistry, { id: 'ContactRequest' });

export const ContactAccepted = z
  .object({ requestId: z.string(), status: z.literal('received') })
  .register(z.globalRegistry, { id: 'ContactAccepted' });
