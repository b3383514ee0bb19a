// Fonella's Sipgate account: personal access token, the web user devices are created for, the
// shared trunk's device (the customers' pool numbers ring it) and the hotline trunk's device (the
// hotlines' numbers ring it, through jambonz), neither of which any code path may delete.
import { defineConfig, nonEmpty, url, withDefault } from '../../config/define';

/** What the local emulator accepts and seeds (both trunks are register devices: sipgate's ids are `e<n>`). */
export const SIPGATE_LOCAL = {
  tokenId: 'token-LOCAL1',
  token: '6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5',
  userId: 'w0',
  trunkDeviceId: 'e0',
  hotlineTrunkDeviceId: 'e1',
} as const;

export const sipgateConfig = /* @__PURE__ */ defineConfig(
  'sipgate',
  {
    SIPGATE_BASE_URL: withDefault(url, 'https://api.sipgate.com/v2'),
    SIPGATE_TOKEN_ID: nonEmpty,
    SIPGATE_TOKEN: nonEmpty,
    SIPGATE_USER_ID: nonEmpty,
    SIPGATE_TRUNK_DEVICE_ID: nonEmpty,
    SIPGATE_HOTLINE_TRUNK_DEVICE_ID: nonEmpty,
  },
  (e) => ({
    baseUrl: e.SIPGATE_BASE_URL.replace(/\/+$/, ''),
    tokenId: e.SIPGATE_TOKEN_ID,
    token: e.SIPGATE_TOKEN,
    userId: e.SIPGATE_USER_ID,
    trunkDeviceId: e.SIPGATE_TRUNK_DEVICE_ID,
    hotlineTrunkDeviceId: e.SIPGATE_HOTLINE_TRUNK_DEVICE_ID,
  }),
  {
    SIPGATE_BASE_URL: 'http://127.0.0.1:4004',
    SIPGATE_TOKEN_ID: SIPGATE_LOCAL.tokenId,
    SIPGATE_TOKEN: SIPGATE_LOCAL.token,
    SIPGATE_USER_ID: SIPGATE_LOCAL.userId,
    SIPGATE_TRUNK_DEVICE_ID: SIPGATE_LOCAL.trunkDeviceId,
    SIPGATE_HOTLINE_TRUNK_DEVICE_ID: SIPGATE_LOCAL.hotlineTrunkDeviceId,
  },
);
