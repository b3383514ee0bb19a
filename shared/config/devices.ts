// The bounds of device sessions and their new-sign-in email: how many devices a user keeps (a new
// one beyond that drops the least recently seen) and the window in which a user gets at most one
// sign-in alert. On a deployed stage CDK sets both from the `fonella` context (lib/settings.ts
// `mailBounds`); locally the alert window is the deployed default and the device cap high enough for
// the suites and the fuzzer, and a test stack that wants to meet the cap sets a low one.
import * as z from '../zod';
import { defineConfig, positiveInt } from './define';

export interface DeviceBounds {
  /** Device sessions kept per user. */
  maxPerUser: number;
  /** At most one new-sign-in email per user within this many seconds. */
  signInAlertWindowSeconds: number;
}

export const deviceConfig = /* @__PURE__ */ defineConfig(
  'devices',
  () =>
    z.pipe(
      z.object({
        DEVICES_PER_USER_MAX: positiveInt(),
        SIGN_IN_ALERT_WINDOW_MINUTES: positiveInt(),
      }),
      z.transform(
        (e): DeviceBounds => ({ maxPerUser: e.DEVICES_PER_USER_MAX, signInAlertWindowSeconds: e.SIGN_IN_ALERT_WINDOW_MINUTES * 60 }),
      ),
    ),
  { DEVICES_PER_USER_MAX: '1000', SIGN_IN_ALERT_WINDOW_MINUTES: '60' },
);
