// Schemas of POST /v1/me/devices. The body is free-form device information (./free-form.ts): a
// client may send any fields; only the known ones are validated and kept, none is required (the seed's
// body is `{}`), and what is missing the use case takes from the request's User-Agent header.
import * as z from '../zod';
import { line } from './common';
import { FREE_FORM_MAX_BYTES, freeFormBody } from './free-form';

/** The body's byte bound (the route's `maxBodyBytes`). */
export const DEVICE_INFO_MAX_BYTES = FREE_FORM_MAX_BYTES;

export const DeviceRegistration = /* @__PURE__ */ z.defineSchema(() => freeFormBody(
  'DeviceRegistration',
  {
    userAgent: z.optional(line(512)),
    platform: z.optional(line(40)),
    appVersion: z.optional(line(40)),
    /** A credential-like value: stored for push, never logged, never answered. */
    pushToken: z.optional(line(512)),
    /** The client's own id for the device, if it keeps one; never stored as it came (hashed). */
    deviceId: z.optional(line(128)),
  },
  "Device information, free-form and all optional: `userAgent` (else the request's `User-Agent` header), `platform` (e.g. `web`, `ios`, `android`), `appVersion`, `pushToken` and the client's own `deviceId`; any other field is accepted and dropped, not stored.",
));

export const DeviceRegistered = /* @__PURE__ */ z.defineReply(() => z
  .object({
    /** Fonella's id of the device: stable for the same client id, or the same user agent and platform. */
    deviceId: z.string(),
    /** True when this request created the device session, false for a refresh. */
    isNew: z.boolean(),
  })
  .register(z.globalRegistry, { id: 'DeviceRegistered' }));
