// The hotline service on jambonz: where jambonz reaches our call hooks (the API's public base URL),
// the organisations' SIP gateway address, how long each agent phone rings, the price per started
// minute a completed call is billed at, and how long a call's channel lease lasts at most when its
// final status event never comes (shared/db/hotline-channels.ts): longer than any call, short enough
// that a lost event does not hold a channel for long. It has a default on every stage (four hours).
import { defineConfig, ipv4, nonEmpty, positiveInt, refuse, url, withDefault, type Variable } from './define';

const price: Variable<number> = (text) => {
  const n = Number(text);
  return text !== undefined && /^\d+(\.\d{1,4})?$/.test(text) && Number.isFinite(n) ? n : refuse('must be a price like 0.05');
};

/** Seconds, 60 (a minute) to 86 400 (a day). */
const leaseSeconds: Variable<number> = (text) => {
  const n = Number(text);
  return text !== undefined && /^\d+$/.test(text) && n >= 60 && n <= 86_400 ? n : refuse('must be whole seconds from 60 to 86400');
};

/** A call's channel lease when HOTLINE_CHANNEL_LEASE_SECONDS is not set: four hours. */
export const DEFAULT_CHANNEL_LEASE_SECONDS = 14_400;

export const hotlineConfig = /* @__PURE__ */ defineConfig(
  'hotlines',
  {
    HOTLINE_HOOK_BASE_URL: url,
    HOTLINE_SIP_GATEWAY: ipv4,
    HOTLINE_DIAL_TIMEOUT_SECONDS: positiveInt,
    HOTLINE_PRICE_PER_MINUTE: price,
    HOTLINE_PAUSED_TEXT: nonEmpty,
    HOTLINE_CHANNEL_LEASE_SECONDS: withDefault(leaseSeconds, String(DEFAULT_CHANNEL_LEASE_SECONDS)),
  },
  (e) => ({
    hookBaseUrl: e.HOTLINE_HOOK_BASE_URL.replace(/\/+$/, ''),
    sipGateway: e.HOTLINE_SIP_GATEWAY,
    dialTimeoutSeconds: e.HOTLINE_DIAL_TIMEOUT_SECONDS,
    pricePerMinute: e.HOTLINE_PRICE_PER_MINUTE,
    pausedText: e.HOTLINE_PAUSED_TEXT,
    channelLeaseSeconds: e.HOTLINE_CHANNEL_LEASE_SECONDS,
  }),
  {
    HOTLINE_HOOK_BASE_URL: 'http://127.0.0.1:3000',
    // TEST-NET-1: an address for the emulator, never a real gateway.
    HOTLINE_SIP_GATEWAY: '192.0.2.10',
    HOTLINE_DIAL_TIMEOUT_SECONDS: '20',
    HOTLINE_PRICE_PER_MINUTE: '0.05',
    HOTLINE_PAUSED_TEXT: 'This hotline is not available at the moment. Please call again later.',
  },
);

export type HotlineConfig = ReturnType<typeof hotlineConfig>;
