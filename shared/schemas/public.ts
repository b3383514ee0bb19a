// Schemas of the public routes the marketing site calls.
import * as z from '../zod';
import { Plan } from '../config/plans';
import { Email, isoDateTime, line, paragraph } from './common';

export const HealthResponse = z
  .object({ status: z.literal('ok'), service: z.string(), stage: z.string(), timestamp: isoDateTime })
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
