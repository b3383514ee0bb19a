// The reCAPTCHA adapter against the reCAPTCHA emulator, over HTTP.
import { describe, expect, it } from 'vitest';
import { createRecaptchaEmulator } from '../../lib/local/emulators/recaptcha';
import { ProviderRejectedError, ProviderUnavailableError } from '../../shared/errors';
import { recaptchaVerifier, type RecaptchaSettings } from '../../shared/providers/recaptcha/adapter';
import { recaptchaConfig } from '../../shared/providers/recaptcha/config';
import { useEmulator } from '../support/emulator';

const emu = useEmulator(createRecaptchaEmulator());
const verifier = (over: Partial<RecaptchaSettings> = {}) =>
  recaptchaVerifier({ baseUrl: emu.baseUrl, secret: 'local-recaptcha-secret', minScore: 0.5, ...over });
type State = { verifications: { token: string; remoteIp?: string; success: boolean; errorCodes: string[] }[] };
const verifications = async () => (await emu.inspect<State>()).verifications;
/** A token as the browser would get it, issued `ageSeconds` ago (the emulator's /_token). */
async function issue(input: { action?: string; score?: number; ageSeconds?: number }): Promise<string> {
  const res = await fetch(`${emu.baseUrl}/_token`, { method: 'POST', body: JSON.stringify(input) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

describe('recaptcha adapter', () => {
  it('accepts a token for the expected action at or above the threshold, sending the client IP', async () => {
    const r = await verifier().verify({ token: 'pass:contact:0.7', expectedAction: 'contact', remoteIp: '203.0.113.7' });
    expect(r).toEqual({ ok: true, score: 0.7, action: 'contact', reasons: [] });
    expect(await verifications()).toEqual([expect.objectContaining({ token: 'pass:contact:0.7', remoteIp: '203.0.113.7', success: true })]);
  });

  it('a score exactly at the threshold passes', async () => {
    expect(await verifier({ minScore: 0.7 }).verify({ token: 'pass:contact:0.7', expectedAction: 'contact' })).toMatchObject({ ok: true });
  });

  it('refuses a score below the threshold, another action, and a token Google rejects', async () => {
    const v = verifier({ minScore: 0.5 });
    expect(await v.verify({ token: 'pass:contact:0.3', expectedAction: 'contact' })).toEqual({
      ok: false,
      score: 0.3,
      action: 'contact',
      reasons: ['low-score'],
    });
    expect(await v.verify({ token: 'pass:login:0.9', expectedAction: 'contact' })).toMatchObject({ ok: false, action: 'login', reasons: ['action-mismatch'] });
    expect(await v.verify({ token: 'fail', expectedAction: 'contact' })).toEqual({
      ok: false,
      score: null,
      action: null,
      reasons: ['invalid-input-response'],
    });
    expect((await verifications()).map((x) => x.token)).toEqual(['pass:contact:0.3', 'pass:login:0.9', 'fail']);
  });

  // Source: developers.google.com/recaptcha/docs/verify ("Token Restrictions": a token is valid for two
  // minutes and can be verified once; error code `timeout-or-duplicate`).
  it('a token verified once → verifying it again is a refusal (timeout-or-duplicate, ok false), not an error', async () => {
    const v = verifier();
    expect(await v.verify({ token: 'pass:contact:0.9', expectedAction: 'contact' })).toMatchObject({ ok: true });
    expect(await v.verify({ token: 'pass:contact:0.9', expectedAction: 'contact' })).toEqual({
      ok: false,
      score: null,
      action: null,
      reasons: ['timeout-or-duplicate'],
    });
    const token = await issue({ action: 'contact', score: 0.8 });
    expect(await v.verify({ token, expectedAction: 'contact' })).toEqual({ ok: true, score: 0.8, action: 'contact', reasons: [] });
    expect(await v.verify({ token, expectedAction: 'contact' })).toMatchObject({ ok: false, reasons: ['timeout-or-duplicate'] });
    expect((await verifications()).map((x) => x.errorCodes)).toEqual([[], ['timeout-or-duplicate'], [], ['timeout-or-duplicate']]);
  });

  it('a token issued more than two minutes ago → timeout-or-duplicate; one just inside is accepted', async () => {
    const v = verifier();
    const old = await issue({ action: 'contact', score: 0.9, ageSeconds: 121 });
    expect(await v.verify({ token: old, expectedAction: 'contact' })).toEqual({ ok: false, score: null, action: null, reasons: ['timeout-or-duplicate'] });
    const recent = await issue({ action: 'contact', score: 0.9, ageSeconds: 110 });
    expect(await v.verify({ token: recent, expectedAction: 'contact' })).toMatchObject({ ok: true, reasons: [] });
  });

  it('a missing token is let through only when configured, and Google is not asked', async () => {
    expect(await verifier({ tokenOptional: true }).verify({ token: undefined, expectedAction: 'contact' })).toEqual({
      ok: true,
      score: null,
      action: null,
      reasons: ['token-missing'],
    });
    expect(await verifier().verify({ token: '', expectedAction: 'contact' })).toMatchObject({ ok: false, reasons: ['token-missing'] });
    expect(await verifications()).toEqual([]);
  });

  it('a wrong secret → ProviderRejectedError (our misconfiguration, not a bot)', async () => {
    const err = await verifier({ secret: 'wrong' })
      .verify({ token: 'pass:contact:0.9', expectedAction: 'contact' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(String((err as Error).message)).not.toContain('wrong');
    expect((await verifications())[0]?.errorCodes).toEqual(['invalid-input-secret']);
  });

  it('retries a 5xx (a refused token cannot turn into a pass) and then succeeds', async () => {
    await emu.fault({ mode: 'error', count: 1 });
    const r = await verifier().verify({ token: 'pass:contact:0.9', expectedAction: 'contact' });
    expect(r.ok).toBe(true);
    expect(await emu.pending()).toEqual([]);
    expect(await verifications()).toHaveLength(1);
  });

  it('persistent 5xx → ProviderUnavailableError after three attempts', async () => {
    await emu.fault({ mode: 'error', count: 5 });
    await expect(verifier().verify({ token: 'x', expectedAction: 'contact' })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(await emu.pending()).toEqual([expect.objectContaining({ count: 2 })]);
  });

  it('no answer → ProviderUnavailableError within the timeout', async () => {
    await emu.fault({ mode: 'timeout', count: 5 });
    const started = Date.now();
    await expect(verifier({ timeoutMs: 300 }).verify({ token: 'x', expectedAction: 'contact' })).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('recaptcha config', () => {
  it('lets a missing token through only where configured: locally yes, deployed no', () => {
    expect(recaptchaConfig.parse({ STAGE: 'local' })).toMatchObject({ tokenOptional: true, baseUrl: 'http://127.0.0.1:4008' });
    const prod = recaptchaConfig.parse({ STAGE: 'prod', RECAPTCHA_SECRET: 's' });
    expect(prod).toMatchObject({ tokenOptional: false, minScore: 0.5, baseUrl: 'https://www.google.com' });
  });

  it('reads the threshold, refuses one outside 0..1, and requires the secret when deployed', () => {
    expect(recaptchaConfig.parse({ STAGE: 'prod', RECAPTCHA_SECRET: 's', RECAPTCHA_MIN_SCORE: '0.7' }).minScore).toBe(0.7);
    expect(() => recaptchaConfig.parse({ STAGE: 'prod', RECAPTCHA_SECRET: 's', RECAPTCHA_MIN_SCORE: '1.5' })).toThrow(/RECAPTCHA_MIN_SCORE/);
    expect(() => recaptchaConfig.parse({ STAGE: 'prod' })).toThrow(/RECAPTCHA_SECRET/);
  });
});
