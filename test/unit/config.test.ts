// Configuration: local defaults on the local stages only; a deployed stage names what is missing; on
// Lambda a function without a deployed STAGE refuses to start (not the local defaults' public secrets).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { PATTERNS, atLeast, csv, httpUrl, email, flag, ipv4, matching, nonEmpty, oneOf, optional, parseConfig as parse, positiveInt, url, uuid, withDefault, currentStage, type Variables, type Values } from '../../shared/config/define';
import { DEFAULT_PLANS, LOCAL_PLANS, plansConfig } from '../../shared/config/plans';
import { assistantConfig } from '../../shared/config/assistant';
import { hotlineConfig } from '../../shared/config/hotlines';
import { toolConfig } from '../../shared/config/tools';

const variables = { MAILGUN_API_KEY: nonEmpty, MAILGUN_URL: url };
const defaults = { MAILGUN_API_KEY: 'key-local', MAILGUN_URL: 'http://127.0.0.1:4002' };
const same = <V extends Variables>(e: Values<V>) => e;
const parseConfig = (section: string, v: typeof variables, d: typeof defaults, env: NodeJS.ProcessEnv) => parse(section, v, same, d, env);

describe('parseConfig', () => {
  it('fills gaps from the local defaults on the local stage', () => {
    expect(parseConfig('mail', variables, defaults, { STAGE: 'local' })).toEqual(defaults);
  });

  it('lets the environment override a default', () => {
    const c = parseConfig('mail', variables, defaults, { STAGE: 'test', MAILGUN_URL: 'https://api.eu.mailgun.net' });
    expect(c.MAILGUN_URL).toBe('https://api.eu.mailgun.net');
  });

  it('on a deployed stage, a missing variable fails naming it and no default leaks in', () => {
    expect(() => parseConfig('mail', variables, defaults, { STAGE: 'prod', MAILGUN_URL: 'https://api.mailgun.net' })).toThrow(
      /Invalid configuration \(mail\): MAILGUN_API_KEY/,
    );
  });

  it('refuses an unknown stage', () => {
    expect(() => parseConfig('mail', variables, defaults, { STAGE: 'staging' })).toThrow(/STAGE/);
  });

  it('names every refused variable at once, and an empty variable counts as unset', () => {
    expect(() => parseConfig('mail', variables, defaults, { STAGE: 'prod', MAILGUN_API_KEY: '', MAILGUN_URL: 'not a url' })).toThrow(
      'Invalid configuration (mail): MAILGUN_API_KEY: is required; MAILGUN_URL: must be a URL',
    );
  });

  it("a section's own rule is refused in the same words, after its variables", () => {
    expect(() => toolConfig.parse({ STAGE: 'prod', TOOLS_PER_USER: '5', TOOL_TIMEOUT_MIN_SECONDS: '3', TOOL_TIMEOUT_MAX_SECONDS: '20', TOOL_TIMEOUT_DEFAULT_SECONDS: '2' })).toThrow(
      /^Invalid configuration \(tools\): tool timeouts must satisfy/,
    );
    expect(() => toolConfig.parse({ STAGE: 'prod', TOOLS_PER_USER: '0' })).toThrow(/TOOLS_PER_USER: must be a positive integer; TOOL_TIMEOUT_MIN_SECONDS: is required/);
  });
});

describe('the kinds of variable', () => {
  const read = <T>(variable: (text: string | undefined) => T, text: string | undefined) => {
    try {
      return { value: variable(text) };
    } catch (err) {
      return { refused: (err as Error).message };
    }
  };

  it('read what they must and refuse the rest, saying what it must be', () => {
    expect(read(nonEmpty, 'x')).toEqual({ value: 'x' });
    expect(read(nonEmpty, undefined)).toEqual({ refused: 'is required' });
    expect(read(atLeast(3), 'ab')).toEqual({ refused: 'must be at least 3 characters' });
    expect(read(url, ' https://api.example.com/v1 ')).toEqual({ value: 'https://api.example.com/v1' });
    expect(read(url, 'api.example.com')).toEqual({ refused: 'must be a URL' });
    expect(read(url, 'https://exa\nmple.com/\tv1')).toEqual({ value: 'https://example.com/v1' });
    expect(read(httpUrl, 'http://127.0.0.1:4007')).toEqual({ value: 'http://127.0.0.1:4007' });
    for (const bad of ['http:example.com', 'https:/path', 'ftp://example.com']) expect(read(httpUrl, bad), bad).toEqual({ refused: 'must be an http or https URL' });
    expect(read(positiveInt, '42')).toEqual({ value: 42 });
    for (const bad of ['0', '-1', '1.5', 'ten', '']) expect(read(positiveInt, bad), bad).toEqual({ refused: 'must be a positive integer' });
    expect(read(csv, 'a, b,,c ')).toEqual({ value: ['a', 'b', 'c'] });
    expect(read(oneOf(['eu', 'us']), 'de')).toEqual({ refused: 'must be one of eu, us' });
    expect(read(email, 'team@fonella.app')).toEqual({ value: 'team@fonella.app' });
    expect(read(email, 'team@')).toEqual({ refused: 'must be an email address' });
    expect(read(uuid, '0b6f3a52-6a3e-4d5c-9a1e-2f1e0c1d2b3a')).toEqual({ value: '0b6f3a52-6a3e-4d5c-9a1e-2f1e0c1d2b3a' });
    expect(read(uuid, 'acct')).toEqual({ refused: 'must be a UUID' });
    expect(read(ipv4, '192.0.2.10')).toEqual({ value: '192.0.2.10' });
    expect(read(ipv4, '256.0.0.1')).toEqual({ refused: 'must be an IPv4 address' });
    expect(read(matching(/^whsec_/, 'must be an endpoint secret'), 'sk_x')).toEqual({ refused: 'must be an endpoint secret' });
  });

  it("email, UUID and IPv4 are checked with zod's own patterns", () => {
    expect(PATTERNS.email.source).toBe(z.regexes.email.source);
    expect(PATTERNS.uuid.source).toBe(z.regexes.uuid().source);
    expect(PATTERNS.ipv4.source).toBe(z.regexes.ipv4.source);
  });

  it('a flag is true for 1, true or yes in any case, false otherwise or unset', () => {
    for (const on of ['1', 'true', 'YES']) expect(flag(on), on).toBe(true);
    for (const off of ['0', 'no', 'on', undefined]) expect(flag(off), String(off)).toBe(false);
  });

  it('optional gives undefined where unset; withDefault reads its fallback there, and checks it like any text', () => {
    expect(read(optional(url), undefined)).toEqual({ value: undefined });
    expect(read(optional(url), 'x')).toEqual({ refused: 'must be a URL' });
    expect(read(withDefault(positiveInt, '5'), undefined)).toEqual({ value: 5 });
    expect(read(withDefault(positiveInt, '5'), '7')).toEqual({ value: 7 });
  });

  it('JSON variables are checked by their zod schema; bad JSON is named', () => {
    expect(() => assistantConfig.parse({ STAGE: 'prod', VAPI_POOL_CREDENTIAL_ID: 'c', ASSISTANT_SPEECH_JSON: '{' })).toThrow('ASSISTANT_SPEECH_JSON: is not valid JSON');
    expect(() => assistantConfig.parse({ STAGE: 'prod', VAPI_POOL_CREDENTIAL_ID: 'c', ASSISTANT_SPEECH_JSON: '{"de":{"voice":{}}}' })).toThrow(/ASSISTANT_SPEECH_JSON: .*transcriber/s);
    const speech = { transcriber: { provider: 'deepgram', language: 'en' }, voice: { provider: '11labs', voiceId: 'sarah' } };
    const parsed = assistantConfig.parse({ STAGE: 'prod', VAPI_POOL_CREDENTIAL_ID: 'c', ASSISTANT_SPEECH_JSON: JSON.stringify({ en: speech }) });
    expect(parsed.speech.en).toEqual(speech);
    expect(parsed.speech.de.voice.provider).toBe('azure');
  });

  it("the hotlines' price and lease are checked by their own rules; the lease has a default on every stage", () => {
    const env = { STAGE: 'prod', HOTLINE_HOOK_BASE_URL: 'https://api.fonella.app/', HOTLINE_SIP_GATEWAY: '192.0.2.10', HOTLINE_DIAL_TIMEOUT_SECONDS: '20', HOTLINE_PRICE_PER_MINUTE: '0.05', HOTLINE_PAUSED_TEXT: 'Paused.' };
    expect(hotlineConfig.parse(env)).toMatchObject({ hookBaseUrl: 'https://api.fonella.app', pricePerMinute: 0.05, channelLeaseSeconds: 14_400 });
    expect(() => hotlineConfig.parse({ ...env, HOTLINE_PRICE_PER_MINUTE: '0.123456' })).toThrow('HOTLINE_PRICE_PER_MINUTE: must be a price like 0.05');
    expect(() => hotlineConfig.parse({ ...env, HOTLINE_CHANNEL_LEASE_SECONDS: '59' })).toThrow('HOTLINE_CHANNEL_LEASE_SECONDS: must be whole seconds from 60 to 86400');
  });
});

describe('the plans', () => {
  it('the local stack and the tests sell Starter without a number; a deployed stage the catalogue; PLANS_JSON replaces both', () => {
    for (const STAGE of ['local', 'test']) expect(plansConfig.parse({ STAGE }).plans).toEqual(LOCAL_PLANS);
    expect(LOCAL_PLANS.map((p) => [p.id, p.includesPoolNumber])).toEqual([['starter', false], ['business', true], ['premium', true]]);
    expect(LOCAL_PLANS.find((p) => p.id === 'starter')!.features.join(' ')).not.toMatch(/number/i);
    expect(plansConfig.parse({ STAGE: 'prod' }).plans).toEqual(DEFAULT_PLANS);
    expect(DEFAULT_PLANS.every((p) => p.includesPoolNumber)).toBe(true);
    const own = DEFAULT_PLANS.map((p) => ({ ...p, includedMinutes: 1 }));
    expect(plansConfig.parse({ STAGE: 'local', PLANS_JSON: JSON.stringify(own) }).plans).toEqual(own);
  });
});

describe('on Lambda (AWS_LAMBDA_FUNCTION_NAME set)', () => {
  const lambda = { AWS_LAMBDA_FUNCTION_NAME: 'fonella-prod-submitContact' };

  it('without STAGE the configuration refuses to load, rather than fill in the local defaults', () => {
    expect(() => currentStage(lambda)).toThrow(/STAGE is not set/);
    expect(() => currentStage({ ...lambda, STAGE: '' })).toThrow(/STAGE is not set/);
    expect(() => parseConfig('mail', variables, defaults, lambda)).toThrow(/STAGE is not set/);
  });

  it("the local stack's and the tests' stages are refused too; dev and prod load", () => {
    for (const STAGE of ['local', 'test']) expect(() => currentStage({ ...lambda, STAGE }), STAGE).toThrow(/on Lambda a function runs as dev or prod only/);
    expect(currentStage({ ...lambda, STAGE: 'prod' })).toBe('prod');
    expect(currentStage({ ...lambda, STAGE: 'dev' })).toBe('dev');
  });

  it('off Lambda, no STAGE is still the local stack', () => {
    expect(currentStage({})).toBe('local');
    expect(parseConfig('mail', variables, defaults, {})).toEqual(defaults);
  });

  // The shared route and worker stacks at init, as a cold start loads them: a process of its own each.
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const coldStart = (module: string, env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `await import(${JSON.stringify(`./${module}`)});`], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it.each(['shared/http/route.ts', 'shared/streams/worker.ts'])('%s: a function without STAGE stops at init; with its stage it starts', (module) => {
    const refused = coldStart(module, lambda);
    expect(refused.status, refused.stderr).not.toBe(0);
    expect(refused.stderr).toMatch(/STAGE is not set/);
    const started = coldStart(module, { ...lambda, STAGE: 'prod' });
    expect(started.status, started.stderr).toBe(0);
  });
});
