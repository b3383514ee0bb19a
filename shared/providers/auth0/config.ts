// The Auth0 tenant and the machine-to-machine client the API uses for the Management API.
// AUTH0_MANAGEMENT_URL only exists for the local emulator.
import { defineConfig, nonEmpty, optional, url } from '../../config/define';

export const auth0Config = /* @__PURE__ */ defineConfig(
  'auth0',
  { AUTH0_DOMAIN: nonEmpty, AUTH0_CLIENT_ID: nonEmpty, AUTH0_CLIENT_SECRET: nonEmpty, AUTH0_MANAGEMENT_URL: optional(url) },
  (e) => ({
    domain: e.AUTH0_DOMAIN.replace(/^https?:\/\//, '').replace(/\/+$/, ''),
    clientId: e.AUTH0_CLIENT_ID,
    clientSecret: e.AUTH0_CLIENT_SECRET,
    managementBaseUrl: e.AUTH0_MANAGEMENT_URL,
  }),
  {
    AUTH0_DOMAIN: 'fonella-local.eu.auth0.com',
    AUTH0_CLIENT_ID: 'local-m2m-client',
    AUTH0_CLIENT_SECRET: 'local-m2m-secret',
    AUTH0_MANAGEMENT_URL: 'http://127.0.0.1:4001',
  },
);
