// Secrets our webhook senders prove themselves with.
import * as z from '../zod';
import { defineConfig } from './define';

export const webhookConfig = /* @__PURE__ */ defineConfig(
  'webhooks',
  () =>
    z.pipe(
      z.object({ VAPI_WEBHOOK_SECRET: z.string().check(z.minLength(12)) }),
      z.transform((e) => ({ vapiSecret: e.VAPI_WEBHOOK_SECRET })),
    ),
  { VAPI_WEBHOOK_SECRET: 'local-vapi-secret' },
);

/** The jambonz account's webhook secret, with which jambonz signs every request to our hooks (Jambonz-Signature). */
export const jambonzWebhookConfig = /* @__PURE__ */ defineConfig(
  'jambonz webhooks',
  () =>
    z.pipe(
      z.object({ JAMBONZ_WEBHOOK_SECRET: z.string().check(z.minLength(12)) }),
      z.transform((e) => ({ secret: e.JAMBONZ_WEBHOOK_SECRET })),
    ),
  { JAMBONZ_WEBHOOK_SECRET: 'local-jambonz-webhook-secret' },
);
