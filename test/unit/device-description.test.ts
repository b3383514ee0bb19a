// The pure parts of device sessions: the device as the new-sign-in email names it (bowser on real
// user agents, in words of fixed lists only: nothing a client typed), the platform's fixed list, the sign-in time in the user's zone and language, the email itself, the device id's
// derivation, and the body's depth and key bounds.
import { describe, expect, it } from 'vitest';
import { describeDevice } from '../../shared/domain/device-description';
import { deriveDeviceId } from '../../shared/domain/devices';
import { PLATFORMS, platformOf } from '../../shared/model/device-platform';
import { signInAlertMail } from '../../shared/email/customer';
import { formatLocalTime } from '../../shared/email/kit';
import { DeviceRegistration } from '../../shared/schemas/devices';
import { measureJson } from '../../shared/schemas/free-form';

const UA = {
  chromeMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  iosApp: 'Fonella/2.3.1 (iPhone; iOS 17.5; Scale/3.00)',
};

describe('describeDevice', () => {
  it.each([
    [{ userAgent: UA.chromeMac, platform: 'web' }, 'Chrome 131 on macOS'],
    [{ userAgent: UA.edgeWindows, platform: 'web' }, 'Microsoft Edge 131 on Windows'],
    [{ userAgent: UA.firefoxLinux, platform: 'web' }, 'Firefox 133 on Linux'],
    [{ userAgent: UA.safariIphone, platform: 'web' }, 'Safari 17 on iOS'],
    // The app says so by an app version and a platform that is not the web; the version is not shown.
    [{ userAgent: UA.iosApp, platform: 'ios', appVersion: '2.3.1' }, 'Fonella app on iOS'],
    [{ userAgent: 'okhttp/4.12.0', platform: 'Android', appVersion: '3.0.0' }, 'Fonella app on Android'],
    // A browser's app version does not make it the app.
    [{ userAgent: UA.chromeMac, platform: 'web', appVersion: '5.1.0' }, 'Chrome 131 on macOS'],
    // The platform the client names wins over the one the user agent suggests.
    [{ userAgent: UA.chromeMac, platform: 'windows' }, 'Chrome 131 on Windows'],
    // Nothing the parser knows: the platform's name from the fixed list, else nothing at all.
    [{ userAgent: 'okhttp/4.12.0', platform: 'ios' }, 'iOS'],
    [{ userAgent: 'x', platform: 'web' }, 'web browser'],
    [{}, 'unknown device'],
  ])('%j → %s', (traits, expected) => {
    expect(describeDevice(traits, 'en')).toBe(expected);
  });

  it.each([
    ['a platform of its own words', { userAgent: 'x', platform: 'Call +49 170 1234567 now', appVersion: '1.0' }, 'unknown device'],
    ['a user agent whose product token is a message', { userAgent: 'Your-account-is-locked/9 (call 0800 1234567)', platform: 'web' }, 'web browser'],
    ['a browser version that is not a number', { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/visit-evil.example', platform: 'linux' }, 'Firefox on Linux'],
    ['an app version with a phone number in it', { userAgent: UA.iosApp, platform: 'ios', appVersion: '0176.1234.5678' }, 'Fonella app on iOS'],
  ])('tells nothing a client typed: %s', (_what, traits, expected) => {
    const told = describeDevice(traits, 'en');
    expect(told).toBe(expected);
    expect(told).not.toMatch(/\+49|0800|0176|1234567|Call|locked|evil/);
  });

  it('speaks German', () => {
    expect(describeDevice({ userAgent: UA.chromeMac, platform: 'web' }, 'de')).toBe('Chrome 131 auf macOS');
    expect(describeDevice({ userAgent: UA.iosApp, platform: 'ios', appVersion: '2.3.1' }, 'de')).toBe('Fonella-App auf iOS');
    expect(describeDevice({ platform: 'web' }, 'de')).toBe('Webbrowser');
    expect(describeDevice({}, 'de')).toBe('unbekanntes Gerät');
  });
});

describe('the platforms', () => {
  it("maps clients' spellings to the fixed list, anything else (and nothing) to `other`", () => {
    expect(platformOf('iOS')).toBe('ios');
    expect(platformOf('iPhone')).toBe('ios');
    expect(platformOf('Mac OS')).toBe('macos');
    expect(platformOf('PWA')).toBe('web');
    expect(platformOf('chrome_os')).toBe('chromeos');
    expect(platformOf('SmartFridge OS')).toBe('other');
    expect(platformOf('Kiosk <b>1</b>')).toBe('other');
    expect(platformOf('')).toBe('other');
    expect(platformOf(undefined)).toBe('other');
    for (const p of PLATFORMS) expect(platformOf(p)).toBe(p);
  });
});

describe('the sign-in time and email', () => {
  const instant = '2026-11-25T13:03:00.000Z';

  it("shows the instant in the user's zone, formatted for their language", () => {
    expect(formatLocalTime('de', instant, 'Europe/Berlin')).toBe('25.11.2026, 14:03 (Europe/Berlin)');
    // ICU puts a narrow no-break space before AM/PM.
    expect(formatLocalTime('en', instant, 'America/New_York').replace(/\u202f/g, ' ')).toBe('11/25/2026, 08:03 AM (America/New_York)');
    expect(formatLocalTime('en', instant, 'Asia/Kolkata').replace(/\u202f/g, ' ')).toBe('11/25/2026, 06:33 PM (Asia/Kolkata)');
  });

  it('falls back to UTC for a zone the runtime does not know', () => {
    expect(formatLocalTime('de', instant, 'Mars/Olympus_Mons')).toBe('25.11.2026, 13:03 (UTC)');
  });

  it('builds the email in both languages, escaping the device in the HTML', () => {
    const en = signInAlertMail('en', { signedInAt: instant, timeZone: 'Europe/London', device: 'Fonella app on <img src=x onerror=alert(1)>' });
    expect(en.subject).toBe('New sign-in to your Fonella account');
    expect(en.text).toContain('Device: Fonella app on <img src=x onerror=alert(1)>');
    expect(en.text.replace(/\u202f/g, ' ')).toContain('Time: 11/25/2026, 01:03 PM (Europe/London)');
    expect(en.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(en.html).not.toContain('<img');

    const de = signInAlertMail('de', { signedInAt: instant, timeZone: 'Europe/Berlin', device: 'Chrome 131 auf macOS' });
    expect(de.subject).toBe('Neue Anmeldung bei Ihrem Fonella-Konto');
    expect(de.text).toContain('Gerät: Chrome 131 auf macOS');
    expect(de.text).toContain('Zeitpunkt: 25.11.2026, 14:03 (Europe/Berlin)');
    expect(de.html).toContain('<html lang="de">');
  });
});

describe('deriveDeviceId', () => {
  it('hashes the client id when given, else user agent and platform, the same way each time', () => {
    const byClient = deriveDeviceId({ deviceId: 'device-123', userAgent: UA.chromeMac, platform: 'web' });
    expect(byClient).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(byClient).not.toContain('device-123');
    expect(deriveDeviceId({ deviceId: 'device-123', userAgent: UA.firefoxLinux, platform: 'ios' })).toBe(byClient);

    const byTraits = deriveDeviceId({ userAgent: UA.chromeMac, platform: 'web' });
    expect(byTraits).toBe(deriveDeviceId({ userAgent: UA.chromeMac, platform: 'web' }));
    expect(byTraits).not.toBe(byClient);
    expect(deriveDeviceId({ userAgent: UA.chromeMac, platform: 'ios' })).not.toBe(byTraits);
    // The separator keeps the two fields apart: moving text from one to the other is another device.
    expect(deriveDeviceId({ userAgent: 'ab', platform: 'c' })).not.toBe(deriveDeviceId({ userAgent: 'a', platform: 'bc' }));
  });
});

describe('the body bounds', () => {
  it('measures depth (the body is level 1) and keys at every level', () => {
    expect(measureJson({}, { maxDepth: 5, maxKeys: 50 })).toEqual({ depth: 1, keys: 0 });
    expect(measureJson({ a: { b: [1, { c: 2 }] } }, { maxDepth: 5, maxKeys: 50 })).toEqual({ depth: 4, keys: 3 });
  });

  it('stops walking once a bound is passed', () => {
    let nested: unknown = 1;
    for (let i = 0; i < 100_000; i++) nested = [nested];
    expect(measureJson(nested, { maxDepth: 5, maxKeys: 50 }).depth).toBe(6);
  });

  it('keeps the known fields typed and lets other fields through the schema', () => {
    const ok = DeviceRegistration.safeParse({ userAgent: ' UA ', platform: 'web', any: { thing: [1, null, 'x'] } });
    expect(ok.success).toBe(true);
    expect(ok.data?.userAgent).toBe('UA');
    expect(DeviceRegistration.safeParse([{ userAgent: 'UA', platform: 'web' }]).success).toBe(false);
    expect(DeviceRegistration.safeParse({ userAgent: 'UA', platform: 'web', a: { b: { c: { d: { e: {} } } } } }).success).toBe(false);
  });
});
