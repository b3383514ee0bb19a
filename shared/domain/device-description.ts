// A device as a person recognises it, for the new-sign-in email: "Chrome 131 on macOS" from a
// browser's user agent (parsed with bowser), "Fonella app 2.3.1 on iOS" when the client says it is
// the app (an app version on a platform other than the web), else the platform as sent, else
// "unknown device". In the email's language; every part is shown escaped by the template.
import Bowser from 'bowser';
import type { Locale } from '../model/locale';

export interface DeviceTraits {
  userAgent?: string;
  platform?: string;
  appVersion?: string;
}

const WORDS: Record<Locale, { on: string; app: string; unknown: string }> = {
  de: { on: 'auf', app: 'Fonella-App', unknown: 'unbekanntes Gerät' },
  en: { on: 'on', app: 'Fonella app', unknown: 'unknown device' },
};

/** Platform names clients send, as the operating system is spelled. */
const PLATFORM_NAMES: Record<string, string> = {
  ios: 'iOS',
  ipados: 'iPadOS',
  android: 'Android',
  macos: 'macOS',
  mac: 'macOS',
  windows: 'Windows',
  linux: 'Linux',
  chromeos: 'Chrome OS',
};

/** Platforms that name a browser rather than an operating system. */
const WEB = new Set(['web', 'browser', 'pwa']);

function parse(userAgent: string | undefined): { browser?: string; os?: string } {
  if (!userAgent) return {};
  try {
    const r = Bowser.parse(userAgent);
    const major = r.browser.version?.split('.')[0];
    return {
      browser: r.browser.name ? (major ? `${r.browser.name} ${major}` : r.browser.name) : undefined,
      os: r.os.name || undefined,
    };
  } catch {
    return {};
  }
}

export function describeDevice(d: DeviceTraits, locale: Locale): string {
  const w = WORDS[locale];
  const platform = d.platform?.trim() || undefined;
  const platformKey = platform?.toLowerCase().replace(/[\s_-]/g, '');
  const platformName = platformKey && !WEB.has(platformKey) ? (PLATFORM_NAMES[platformKey] ?? platform) : undefined;
  const ua = parse(d.userAgent);
  const os = platformName ?? ua.os;

  if (d.appVersion && platformName) return `${w.app} ${d.appVersion} ${w.on} ${platformName}`;
  if (ua.browser) return os ? `${ua.browser} ${w.on} ${os}` : ua.browser;
  return os ?? platform ?? w.unknown;
}
