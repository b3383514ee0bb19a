// Secrets our webhook senders prove themselves with.
import * as z from '../zod';
import { defineConfig } from './define';

export const webhookConfig = defineConfig(
  'webhooks',
  z.pipe(
    z.object({ VAPI_WEBHOOK_SECRET: z.string().check(z.minLength(12)) }),
    z.transform((e) => ({ vapiSecret: e.VAPI_WEBHOOK_SECRET })),
  ),
  { VAPI_WEBHOOK_SECRET: 'local-vapi-secret' },
);
