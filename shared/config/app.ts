// What every function reads: its stage, name, CORS origins, request bounds.
import { csv, defineConfig, flag, nonEmpty, positiveInt, stage, url } from './define';

export const appConfig = /* @__PURE__ */ defineConfig(
  'app',
  {
    STAGE: stage,
    SERVICE_NAME: nonEmpty,
    CORS_ORIGINS: csv,
    MAX_BODY_BYTES: positiveInt,
    VALIDATE_RESPONSES: flag,
    PORTAL_URL: url,
    PARTNER_PORTAL_URL: url,
  },
  (e) => ({
    stage: e.STAGE,
    service: e.SERVICE_NAME,
    corsOrigins: e.CORS_ORIGINS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    validateResponses: e.VALIDATE_RESPONSES,
    portalUrl: e.PORTAL_URL.replace(/\/+$/, ''),
    /** The partner portal (where an invited partner activates their account), without a trailing slash. */
    partnerPortalUrl: e.PARTNER_PORTAL_URL.replace(/\/+$/, ''),
  }),
  {
    STAGE: 'local',
    SERVICE_NAME: 'fonella-api',
    CORS_ORIGINS: 'http://localhost:5173,http://localhost:3001',
    MAX_BODY_BYTES: '65536',
    VALIDATE_RESPONSES: '1',
    PORTAL_URL: 'http://localhost:5173',
    PARTNER_PORTAL_URL: 'http://localhost:5174',
  },
);
