// The bounds of device sessions and their new-sign-in email: how many devices a user keeps (a new
// one beyond that drops the least recently seen) and the window in which a user gets at most one
// sign-in alert. On a deployed stage CDK sets both from the `fonella` context (lib/settings.ts
// `mailBounds`). The local defaults are a stage's defaults (test/infra/deploy-env.test.ts holds them
// equal); the test suites and the bench set a high device cap explicitly (lib/local/limits.ts
// `SUITE_LIMITS`), and a suite that wants to meet it sets it low.
import { defineConfig, positiveInt } from './define';

export interface DeviceBounds {
  /** Device sessions kept per user. */
  maxPerUser: number;
  /** At most one new-sign-in email per user within this many seconds. */
  signInAlertWindowSeconds: number;
}

export const deviceConfig = /* @__PURE__ */ defineConfig(
  'devices',
  { DEVICES_PER_USER_MAX: positiveInt, SIGN_IN_ALERT_WINDOW_MINUTES: positiveInt },
  (e): DeviceBounds => ({ maxPerUser: e.DEVICES_PER_USER_MAX, signInAlertWindowSeconds: e.SIGN_IN_ALERT_WINDOW_MINUTES * 60 }),
  { DEVICES_PER_USER_MAX: '10', SIGN_IN_ALERT_WINDOW_MINUTES: '60' },
);
