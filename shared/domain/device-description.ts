// A device as a person recognises it, for the new-sign-in email, told only in words of fixed lists,
// never in text a client sent: "Chrome 131 on macOS" from a browser's user agent (parsed with bowser,
// kept only when bowser names a browser and an operating system it knows, with a major version of
// digits), "Fonella app on iOS" when the client says it is the app (an app version on a platform
// other than the web; the version itself is not shown), else the platform's name from the fixed list
// (shared/model/device-platform.ts), else "unknown device". In the email's language.
import Bowser from 'bowser';
import type { Locale } from '../model/locale';
import { platformOf, type Platform } from '../model/device-platform';

export interface DeviceTraits {
  userAgent?: string;
  platform?: string;
  appVersion?: string;
}

const WORDS: Record<Locale, { on: string; app: string; web: string; unknown: string }> = {
  de: { on: 'auf', app: 'Fonella-App', web: 'Webbrowser', unknown: 'unbekanntes Gerät' },
  en: { on: 'on', app: 'Fonella app', web: 'web browser', unknown: 'unknown device' },
};

/** The operating systems of the platform list, as they are spelled. */
const PLATFORM_NAMES: Partial<Record<Platform, string>> = {
  ios: 'iOS',
  ipados: 'iPadOS',
  android: 'Android',
  macos: 'macOS',
  windows: 'Windows',
  linux: 'Linux',
  chromeos: 'Chrome OS',
};

// Bowser's own names. Its last resort takes any `name/version` of a user agent as a browser: that
// text is the client's, so only the names of these lists are shown.
const BROWSERS = new Set(Object.values(Bowser.BROWSER_MAP));
const SYSTEMS = new Set(Object.values(Bowser.OS_MAP));

function parse(userAgent: string | undefined): { browser?: string; os?: string } {
  if (!userAgent) return {};
  try {
    const r = Bowser.parse(userAgent);
    const name = r.browser.name && BROWSERS.has(r.browser.name) ? r.browser.name : undefined;
    const major = /^\d{1,3}$/.exec(r.browser.version?.split('.')[0] ?? '')?.[0];
    return {
      browser: name ? (major ? `${name} ${major}` : name) : undefined,
      os: r.os.name && SYSTEMS.has(r.os.name) ? r.os.name : undefined,
    };
  } catch {
    return {};
  }
}

export function describeDevice(d: DeviceTraits, locale: Locale): string {
  const w = WORDS[locale];
  const platform = platformOf(d.platform);
  const platformName = PLATFORM_NAMES[platform];
  const ua = parse(d.userAgent);
  const os = platformName ?? ua.os;

  if (d.appVersion && platformName) return `${w.app} ${w.on} ${platformName}`;
  if (ua.browser) return os ? `${ua.browser} ${w.on} ${os}` : ua.browser;
  return os ?? (platform === 'web' ? w.web : w.unknown);
}
