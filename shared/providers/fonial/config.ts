// The fonial account Fonella logs in with and the IP phone callbacks ring. Off the local stack the API
// URL defaults to fonial's; username and password must be set.
import { defineConfig, nonEmpty, optional, positiveInt, url, withDefault } from '../../config/define';

export const FONIAL_API = 'https://kundenkonto.fonial.de/api/2.0';

/** The local stack's login and callback device; the fonial emulator accepts and seeds exactly these. */
export const FONIAL_LOCAL = { username: 'fonella-local', password: 'local-password', deviceId: 23 } as const;

export const fonialConfig = /* @__PURE__ */ defineConfig(
  'fonial',
  { FONIAL_BASE_URL: withDefault(url, FONIAL_API), FONIAL_USERNAME: nonEmpty, FONIAL_PASSWORD: nonEmpty, FONIAL_DEVICE_ID: optional(positiveInt) },
  (e) => ({
    baseUrl: e.FONIAL_BASE_URL.replace(/\/+$/, ''),
    username: e.FONIAL_USERNAME,
    password: e.FONIAL_PASSWORD,
    deviceId: e.FONIAL_DEVICE_ID,
  }),
  {
    FONIAL_BASE_URL: 'http://127.0.0.1:4005',
    FONIAL_USERNAME: FONIAL_LOCAL.username,
    FONIAL_PASSWORD: FONIAL_LOCAL.password,
    FONIAL_DEVICE_ID: String(FONIAL_LOCAL.deviceId),
  },
);
