// Vapi account and the webhook URL Vapi calls back on. Off the local stack the API URL defaults to the
// real service; the key and our webhook URL must be set. The secret Vapi sends back with every webhook
// is read once, by shared/config/webhooks.ts, for both the assistant's server header and the check.
import { defineConfig, nonEmpty, url, withDefault } from '../../config/define';

export const vapiConfig = /* @__PURE__ */ defineConfig(
  'vapi',
  { VAPI_API_KEY: nonEmpty, VAPI_BASE_URL: withDefault(url, 'https://api.vapi.ai'), VAPI_SERVER_URL: url },
  (e) => ({
    apiKey: e.VAPI_API_KEY,
    baseUrl: e.VAPI_BASE_URL.replace(/\/+$/, ''),
    serverUrl: e.VAPI_SERVER_URL,
  }),
  {
    VAPI_API_KEY: 'local-vapi-key',
    VAPI_BASE_URL: 'http://127.0.0.1:4003',
    VAPI_SERVER_URL: 'http://127.0.0.1:3000/v1/webhooks/vapi',
  },
);
