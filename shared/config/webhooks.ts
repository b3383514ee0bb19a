// Secrets our webhook senders prove themselves with.
import { atLeast, defineConfig } from './define';

export const webhookConfig = /* @__PURE__ */ defineConfig(
  'webhooks',
  { VAPI_WEBHOOK_SECRET: atLeast(12) },
  (e) => ({ vapiSecret: e.VAPI_WEBHOOK_SECRET }),
  { VAPI_WEBHOOK_SECRET: 'local-vapi-secret' },
);

/** The jambonz account's webhook secret, with which jambonz signs every request to our hooks (Jambonz-Signature). */
export const jambonzWebhookConfig = /* @__PURE__ */ defineConfig(
  'jambonz webhooks',
  { JAMBONZ_WEBHOOK_SECRET: atLeast(12) },
  (e) => ({ secret: e.JAMBONZ_WEBHOOK_SECRET }),
  { JAMBONZ_WEBHOOK_SECRET: 'local-jambonz-webhook-secret' },
);
