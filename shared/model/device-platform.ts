// The platforms a device session is stored with: a fixed list, so that what a client sends as its
// platform is never kept (or mailed) as it came. Clients' spellings map to the list; anything else,
// and no platform at all, is `other`.
export const PLATFORMS = ['web', 'ios', 'ipados', 'android', 'macos', 'windows', 'linux', 'chromeos', 'other'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Clients' spellings (lower case, without spaces, `_` and `-`) of each platform. */
const SPELLINGS: Record<string, Platform> = {
  web: 'web',
  browser: 'web',
  pwa: 'web',
  ios: 'ios',
  iphone: 'ios',
  ipados: 'ipados',
  ipad: 'ipados',
  android: 'android',
  macos: 'macos',
  mac: 'macos',
  osx: 'macos',
  windows: 'windows',
  win32: 'windows',
  linux: 'linux',
  chromeos: 'chromeos',
};

/** The platform a client's value names, or `other`. */
export function platformOf(value: string | undefined | null): Platform {
  const spelled = value?.toLowerCase().replace(/[\s_-]/g, '');
  return (spelled && SPELLINGS[spelled]) || 'other';
}
