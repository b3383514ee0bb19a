// The reCAPTCHA adapter against the reCAPTCHA emulator, over HTTP.
import { describe, expect, it } from 'vitest';
import { createRecaptchaEmulator } from '../../lib/local/emulators/recaptcha';
import { ProviderUnavailableError } from '../../shared/errors';
import { recaptchaVerifier, type RecaptchaSettings } from '../../shared/providers/recaptcha/adapter';
import { recaptchaConfig } from '../../shared/providers/recaptcha/config';
import { useEmulator } from '../support/emulator';

const emu = useEmulator(createRecaptchaEmulator());
const verifier = (over: Partial<RecaptchaSettings> = {}) =>
  recaptchaVerifier({ baseUrl: emu.baseUrl, secret: 'local-recaptcha-secret', minScore: 0.5, ...over });
type State = { verifications: { token: string; remoteIp?: string; success: boolean }[] };

describe('recaptcha adapter', () => {
  it('accepts a token for the expected action at or above the threshold, sending the client IP', async () => {
    const r = await verifier().verify({ token: 'pass:contact:0.7', expectedAction: 'contact', remoteIp: '203.0.113.7' });
    expect(r).toEqual({ ok: true, score: 0.7, action: 'contact', reasons: [] });
    expect((await emu.inspect<State>()).verifications[0]).toMatchObject({ token: 'pass:contact:0.7', remoteIp: '203.0.113.7' });
  });

  it('refuses a score below the threshold, another action, and a token Google rejects', async () => {
    const v = verifier({ minScore: 0.5 });
    expect(await v.verify({ token: 'pass:contact:0.3', expectedAction: 'contact' })).toMatchObject({ ok: false, reasons: ['low-score'] });
    expect(await v.verify({ token: 'pass:login:0.9', expectedAction: 'contact' })).toMatchObject({ ok: false, reasons: ['action-mismatch'] });
    expect(await v.verify({ token: 'fail', expectedAction: 'contact' })).toMatchObject({ ok: false, reasons: ['invalid-input-response'] });
  });

  it('a wrong secret is a refusal with Google’s error code, not a pass', async () => {
    const r = await verifier({ secret: 'wrong' }).verify({ token: 'pass:contact:0.9', expectedAction: 'contact' });
    expect(r).toMatchObject({ ok: false, reasons: ['invalid-input-secret'] });
  });

  it('retries a 5xx once (verifying has no side effect) and then succeeds', async () => {
    await emu.fault({ mode: 'error', count: 1 });
    const r = await verifier().verify({ token: 'pass:contact:0.9', expectedAction: 'contact' });
    expect(r.ok).toBe(true);
    expect(await emu.pending()).toEqual([]);
  });

  it('persistent 5xx → ProviderUnavailableError', async () => {
    await emu.fault({ mode: 'error', count: 5 });
    await expect(verifier().verify({ token: 'x', expectedAction: 'contact' })).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('no answer → ProviderUnavailableError', async () => {
    await emu.fault({ mode: 'timeout', count: 5 });
    const v = verifier({ timeoutMs: 200 });
    await expect(v.verify({ token: 'x', expectedAction: 'contact' })).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});

describe('recaptcha config', () => {
  it('lets a missing token through only where configured: locally yes, deployed no', () => {
    expect(recaptchaConfig.parse({ STAGE: 'local' }).tokenOptional).toBe(true);
    const prod = recaptchaConfig.parse({ STAGE: 'prod', RECAPTCHA_SECRET: 's' });
    expect(prod).toMatchObject({ tokenOptional: false, minScore: 0.5, baseUrl: 'https://www.google.com' });
  });
});
