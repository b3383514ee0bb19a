// The address policy's one setting (shared/net/public-address.ts): ALLOW_LOOPBACK_ADDRESSES lets
// loopback addresses and `localhost` names through where a customer gives us a host (the SIP
// gateway), for a developer's own server on this machine. Off unless set, and for the local stack
// only: CDK never gives it to a function (LOCAL_ONLY_ENV in lib/settings.ts), and a deployed stage
// that has it anyway stops at cold start.
import { defineConfig, flag, refuse, stage, withDefault } from './define';

export const addressPolicyConfig = /* @__PURE__ */ defineConfig(
  'addresses',
  { STAGE: withDefault(stage, 'local'), ALLOW_LOOPBACK_ADDRESSES: flag },
  (e) => {
    if (e.ALLOW_LOOPBACK_ADDRESSES && e.STAGE !== 'local' && e.STAGE !== 'test') refuse('ALLOW_LOOPBACK_ADDRESSES is for the local stack only');
    return { allowLoopback: e.ALLOW_LOOPBACK_ADDRESSES };
  },
);
