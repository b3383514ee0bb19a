// What CDK hands a function for a provider (lib/settings.ts PROVIDER_ENV), plus what the secrets
// loader then copies from the stage secret at cold start, must be enough for that provider's config to
// load on a deployed stage; otherwise the function would fail at cold start. The environment CDK
// writes holds the plain settings and the secret's name and keys, never a secret value; the stage
// secret is served here by the extension's emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { baseEnvironment, functionEnvironment } from '../../lib/constructs/fonella-function';
import { startEmulator, type RunningEmulator } from '../../lib/local/emulators/kit';
import { createSecretsEmulator } from '../../lib/local/emulators/secrets';
import { SUITE_LIMITS } from '../../lib/local/limits';
import { routes } from '../../lib/routes';
import { LOCAL_ONLY_ENV, PROVIDER_ENV, PROVIDER_SECRET_KEYS, StackSettings } from '../../lib/settings';
import { addressPolicyConfig } from '../../shared/config/addresses';
import { accessTokenConfig } from '../../shared/config/access-tokens';
import { apiKeyConfig } from '../../shared/config/api-keys';
import { appConfig } from '../../shared/config/app';
import { assistantConfig } from '../../shared/config/assistant';
import { CALLBACK_ENV, CALLBACK_LOCALES, callbackConfig, callbackSipConfig } from '../../shared/config/callback';
import { deviceConfig } from '../../shared/config/devices';
import { DEFAULT_CHANNEL_LEASE_SECONDS, hotlineConfig } from '../../shared/config/hotlines';
import { quotaConfig } from '../../shared/config/quotas';
import { toolConfig } from '../../shared/config/tools';
import { rateLimitConfig } from '../../shared/config/rate-limits';
import { retentionConfig } from '../../shared/config/retention';
import { mailConfig } from '../../shared/config/mail';
import { loadSecrets } from '../../shared/config/secrets';
import type { ProviderName } from '../../shared/errors';
import { auth0Config } from '../../shared/providers/auth0/config';
import { fonialConfig } from '../../shared/providers/fonial/config';
import { jambonzConfig } from '../../shared/providers/jambonz/config';
import { recaptchaConfig } from '../../shared/providers/recaptcha/config';
import { sipgateConfig } from '../../shared/providers/sipgate/config';
import { stripeConfig } from '../../shared/providers/stripe/config';
import { vapiConfig } from '../../shared/providers/vapi/config';

const CONFIGS: Record<ProviderName, { parse(env: NodeJS.ProcessEnv): unknown }> = {
  mailgun: mailConfig,
  vapi: vapiConfig,
  sipgate: sipgateConfig,
  fonial: fonialConfig,
  jambonz: jambonzConfig,
  stripe: stripeConfig,
  auth0: auth0Config,
  recaptcha: recaptchaConfig,
};

/** A plausible deployed value for a variable, by its name. */
function sample(name: string): string {
  if (name.endsWith('_URL')) return 'https://provider.example.com/api';
  if (name.endsWith('_SID')) return '0b6f3a52-6a3e-4d5c-9a1e-2f1e0c1d2b3a';
  if (name === 'STRIPE_SECRET_KEY') return 'sk_live_0123456789';
  if (name === 'STRIPE_WEBHOOK_SECRET') return 'whsec_0123456789';
  if (name.endsWith('_DEVICE_ID') && name.startsWith('FONIAL')) return '7';
  if (name.endsWith('_MIN_SCORE')) return '0.5';
  if (name.endsWith('_JSON')) return '{"en":{"transcriber":{"provider":"deepgram","language":"en"},"voice":{"provider":"11labs","voiceId":"sarah"}}}';
  if (name.endsWith('_INBOX')) return 'team@fonella.app';
  if (name === 'MAIL_FROM') return 'Fonella <no-reply@mg.fonella.app>';
  if (name === 'MAILGUN_REGION') return 'eu';
  return 'configured-value-0123456789';
}

const context = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;
/** A prod stage whose settings give every plain provider variable. */
const settings = StackSettings.parse({
  ...context.fonella,
  stage: 'prod',
  environment: Object.fromEntries(Object.values(PROVIDER_ENV).flatMap((p) => p.plain.map((n) => [n, sample(n)]))),
});
const TOKEN = 'deploy-env-session-token';
/** The stage secret: every key of every provider. */
const stageSecret = Object.fromEntries(PROVIDER_SECRET_KEYS.map((k) => [k, sample(k)]));
let extension: RunningEmulator;
beforeAll(async () => {
  extension = await startEmulator(createSecretsEmulator({ token: TOKEN, secrets: { [settings.providerSecretName]: stageSecret } }), { port: 0 });
});
afterAll(async () => {
  await extension?.close();
});

/** What a function sees at cold start on Lambda: its configuration, and the extension's port and token. */
const atColdStart = (environment: Record<string, string>): NodeJS.ProcessEnv => ({
  ...environment,
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port),
  AWS_SESSION_TOKEN: TOKEN,
});

describe('deployed environment', () => {
  it.each(Object.keys(CONFIGS) as ProviderName[])(
    '%s: the variables CDK sets, with the secret keys read at cold start, are enough on a deployed stage',
    async (provider) => {
      const { plain, secret } = PROVIDER_ENV[provider];
      const { environment, secretKeys } = functionEnvironment(settings, { providers: [provider] });
      for (const name of plain) expect(environment[name], name).toBe(sample(name));
      expect(secretKeys).toEqual([...secret].sort());
      expect(environment).toMatchObject({ PROVIDER_SECRET_NAME: settings.providerSecretName, SECRET_KEYS: secretKeys.join(',') });
      for (const key of PROVIDER_SECRET_KEYS) expect(environment, key).not.toHaveProperty(key);
      // Without the secret keys the config does not load; with what the loader copies, it does.
      expect(() => CONFIGS[provider].parse(environment)).toThrow(/Invalid configuration/);
      const env = atColdStart(environment);
      expect((await loadSecrets({ env })).loaded).toEqual(secretKeys);
      expect(() => CONFIGS[provider].parse(env)).not.toThrow();
      // Only this provider's keys: no other provider's secret reaches the function.
      for (const key of PROVIDER_SECRET_KEYS) expect(env[key] !== undefined, key).toBe(secret.includes(key));
    },
  );

  it('a function whose providers have no secret gets no secret name or keys', () => {
    const { environment, secretKeys } = functionEnvironment(settings, { table: 'read' }, { tableName: 'fonella-prod' });
    expect(secretKeys).toEqual([]);
    expect(Object.keys(environment).filter((k) => /SECRET/.test(k))).toEqual([]);
  });

  it('a stage secret without one of the keys stops the function at cold start, naming the key', async () => {
    const { environment } = functionEnvironment(settings, { providers: ['mailgun'] }, { secretVars: ['NOT_IN_THE_SECRET'] });
    await expect(loadSecrets({ env: atColdStart(environment) })).rejects.toThrow(`${settings.providerSecretName} has no NOT_IN_THE_SECRET`);
  });

  it('a Vapi function gets what the assistant config needs: the pool credential and any speech override', () => {
    const { environment } = functionEnvironment(settings, { providers: ['vapi'] });
    const c = assistantConfig.parse(environment);
    expect(c.poolCredentialId).toBe(sample('VAPI_POOL_CREDENTIAL_ID'));
    expect(c.speech.en.voice).toEqual({ provider: '11labs', voiceId: 'sarah' });
    expect(c.speech.de.voice).toEqual({ provider: 'azure', voiceId: 'de-DE-KatjaNeural' });
    expect(() => assistantConfig.parse({ STAGE: 'prod' })).toThrow(/VAPI_POOL_CREDENTIAL_ID/);
    expect(() => assistantConfig.parse({ ...environment, ASSISTANT_SPEECH_JSON: '{"xx":{}}' })).toThrow(/ASSISTANT_SPEECH_JSON/);
  });

  it('and without them it fails at cold start, naming a variable', () => {
    expect(() => vapiConfig.parse({ STAGE: 'prod' })).toThrow(/VAPI_API_KEY/);
  });

  it('every function gets what the app config needs', () => {
    expect(appConfig.parse(baseEnvironment(settings))).toMatchObject({ stage: 'prod', maxBodyBytes: 65536, validateResponses: false });
    expect(retentionConfig.parse(baseEnvironment(settings))).toEqual({ publicFormDays: 180, calls: { defaultDays: 90, minDays: 1, maxDays: 730 } });
    expect(() => retentionConfig.parse({ STAGE: 'prod' })).toThrow(/PUBLIC_FORM_RETENTION_DAYS/);
  });

  it('every function gets the public forms\' rate limits: from the stage settings, and required on a deployed stage', () => {
    expect(rateLimitConfig.parse(baseEnvironment(settings))).toEqual({
      contact: { limit: 10, windowSeconds: 3600 },
      contactWithoutToken: { limit: 3, windowSeconds: 3600 },
      contactWithoutTokenPerEmail: { limit: 2, windowSeconds: 86400 },
      supportTicket: { limit: 10, windowSeconds: 3600 },
      callback: { limit: 10, windowSeconds: 3600 },
      callbackPerNumber: { limit: 3, windowSeconds: 86400 },
      callReportPerCall: { limit: 3, windowSeconds: 86400 },
      callReportPerUser: { limit: 10, windowSeconds: 86400 },
      emailConfirmation: { limit: 5, windowSeconds: 86400 },
    });
    const tight = StackSettings.parse({ ...context.fonella, publicFormRateLimits: { contactPerHour: 3, supportTicketPerHour: 5 } });
    expect(rateLimitConfig.parse(baseEnvironment(tight))).toMatchObject({ contact: { limit: 3 }, supportTicket: { limit: 5 } });
    expect(() => rateLimitConfig.parse({ STAGE: 'prod' })).toThrow(/RATE_LIMIT_CONTACT_PER_HOUR/);
  });

  it('every function gets the bounds of what a signed-in user can make Fonella email: from the stage settings, and required on a deployed stage', () => {
    expect(deviceConfig.parse(baseEnvironment(settings))).toEqual({ maxPerUser: 10, signInAlertWindowSeconds: 3600 });
    const tight = StackSettings.parse({
      ...context.fonella,
      mailBounds: { devicesPerUser: 4, signInAlertWindowMinutes: 30, callReportsPerCallPerDay: 1, callReportsPerUserPerDay: 2, emailConfirmationsPerUserPerDay: 3 },
    });
    expect(deviceConfig.parse(baseEnvironment(tight))).toEqual({ maxPerUser: 4, signInAlertWindowSeconds: 1800 });
    expect(rateLimitConfig.parse(baseEnvironment(tight))).toMatchObject({
      callReportPerCall: { limit: 1, windowSeconds: 86400 },
      callReportPerUser: { limit: 2, windowSeconds: 86400 },
      emailConfirmation: { limit: 3, windowSeconds: 86400 },
    });
    expect(() => deviceConfig.parse({ STAGE: 'prod' })).toThrow(/DEVICES_PER_USER_MAX/);
    const { RATE_LIMIT_CALL_REPORTS_PER_USER_PER_DAY: _missing, ...without } = baseEnvironment(settings);
    expect(() => rateLimitConfig.parse(without)).toThrow(/RATE_LIMIT_CALL_REPORTS_PER_USER_PER_DAY/);
    expect(() => StackSettings.parse({ ...context.fonella, mailBounds: { devicesPerUser: 0 } })).toThrow();
  });

  it("every function gets the hotline service's quotas: from the stage settings (3 organisations, 10 hotlines, 10 phones unless set), and required on a deployed stage", () => {
    expect(quotaConfig.parse(baseEnvironment(settings))).toEqual({ organizationsPerUser: 3, hotlinesPerOrganization: 10, agentPhonesPerUser: 10 });
    const tight = StackSettings.parse({ ...context.fonella, quotas: { organizationsPerUser: 1, hotlinesPerOrganization: 2, agentPhonesPerUser: 4 } });
    expect(quotaConfig.parse(baseEnvironment(tight))).toEqual({ organizationsPerUser: 1, hotlinesPerOrganization: 2, agentPhonesPerUser: 4 });
    expect(() => StackSettings.parse({ ...context.fonella, quotas: { organizationsPerUser: 0 } })).toThrow();
    expect(() => quotaConfig.parse({ STAGE: 'prod' })).toThrow(/QUOTA_ORGANIZATIONS_PER_USER/);
  });

  it("every function gets the custom tools' limit and timeout bounds: from the stage settings (20 tools, 1 to 20 s, 5 s unless set), and required on a deployed stage", () => {
    expect(toolConfig.parse(baseEnvironment(settings))).toEqual({ perUser: 20, timeoutSeconds: { min: 1, max: 20, default: 5 }, allowHttpLoopback: false });
    const tight = StackSettings.parse({ ...context.fonella, tools: { perUser: 5, timeoutMinSeconds: 2, timeoutMaxSeconds: 8, timeoutDefaultSeconds: 3 } });
    expect(toolConfig.parse(baseEnvironment(tight))).toMatchObject({ perUser: 5, timeoutSeconds: { min: 2, max: 8, default: 3 } });
    expect(() => StackSettings.parse({ ...context.fonella, tools: { timeoutMaxSeconds: 21 } })).toThrow();
    expect(() => StackSettings.parse({ ...context.fonella, tools: { timeoutMinSeconds: 6, timeoutDefaultSeconds: 5 } })).toThrow();
    expect(() => toolConfig.parse({ STAGE: 'prod' })).toThrow(/TOOLS_PER_USER/);
  });
});

describe('the local stack behaves like a stage', () => {
  // A stage's settings with nothing set beyond what has no default: every limit and quota its default.
  const defaults = StackSettings.parse({
    stage: 'dev',
    auth0Domain: 'fonella-dev.eu.auth0.com',
    auth0Audience: 'https://api.fonella.app',
    corsOrigins: ['https://app.fonella.app'],
    portalUrl: 'https://app.fonella.app',
    partnerPortalUrl: 'https://partners.fonella.app',
    providerSecretName: 'fonella/dev/providers',
    environment: {},
  });

  it('`npm start` runs with the limits, device cap and quotas a stage has by default', () => {
    for (const config of [rateLimitConfig, deviceConfig, quotaConfig]) {
      expect(config.parse({ STAGE: 'local' })).toEqual(config.parse(baseEnvironment(defaults)));
    }
    expect(rateLimitConfig.parse({ STAGE: 'local' }).callback).toEqual({ limit: 10, windowSeconds: 3600 });
  });

  it("the suites' limits raise every limit, the device cap and every quota, and leave the alert window", () => {
    const local = [rateLimitConfig, deviceConfig, quotaConfig].map((c) => c.parse({ STAGE: 'test' }));
    const suites = [rateLimitConfig, deviceConfig, quotaConfig].map((c) => c.parse({ STAGE: 'test', ...SUITE_LIMITS }));
    const numbers = (v: unknown, path = ''): [string, number][] =>
      typeof v === 'number' ? [[path, v]] : Object.entries(v as object).flatMap(([k, x]) => numbers(x, `${path}.${k}`));
    const before = new Map(numbers(local));
    for (const [path, n] of numbers(suites)) {
      if (/windowSeconds|signInAlertWindowSeconds/.test(path)) expect(n, path).toBe(before.get(path));
      else expect(n, path).toBeGreaterThanOrEqual(1000);
    }
  });
});

describe('the routes that take API keys on a deployed stage', () => {
  it("get the authorizer's issuer and audience and the per-key rate from the stage settings (120 a minute unless set); without them a function stops at cold start", () => {
    const { environment } = functionEnvironment(settings, routes.listCalls!.uses, { tableName: 'fonella-prod', apiKeys: true });
    expect(accessTokenConfig.parse(environment)).toEqual({ issuer: `https://${settings.auth0Domain}/`, audience: settings.auth0Audience });
    expect(apiKeyConfig.parse(environment)).toEqual({ requestsPerMinute: 120 });
    // An admin route checks the token too, and has no per-key rate.
    const admin = functionEnvironment(settings, routes.listCustomers!.uses, { accessTokens: true }).environment;
    expect(accessTokenConfig.parse(admin)).toEqual({ issuer: `https://${settings.auth0Domain}/`, audience: settings.auth0Audience });
    expect(() => apiKeyConfig.parse(admin)).toThrow(/API_KEY_RATE_LIMIT_PER_MINUTE/);
    const tight = StackSettings.parse({ ...context.fonella, apiKeys: { requestsPerMinute: 30 } });
    expect(apiKeyConfig.parse(functionEnvironment(tight, routes.listCalls!.uses, { apiKeys: true }).environment).requestsPerMinute).toBe(30);
    expect(() => StackSettings.parse({ ...context.fonella, apiKeys: { requestsPerMinute: 0 } })).toThrow();
    expect(() => accessTokenConfig.parse(functionEnvironment(settings, routes.getMe!.uses).environment)).toThrow(/AUTH0_ISSUER/);
  });
});

describe('the hotline hooks on a deployed stage', () => {
  const hotlineEnv = {
    HOTLINE_HOOK_BASE_URL: 'https://api.fonella.app',
    HOTLINE_SIP_GATEWAY: '192.0.2.10',
    HOTLINE_DIAL_TIMEOUT_SECONDS: '20',
    HOTLINE_PRICE_PER_MINUTE: '0.05',
    HOTLINE_PAUSED_TEXT: 'This hotline is not available at the moment.',
  };
  const hookEnv = (extra: Record<string, string>, route: 'answerHotlineCall' | 'receiveHotlineCallStatus') => {
    const staged = StackSettings.parse({ ...context.fonella, stage: 'prod', environment: { ...hotlineEnv, ...extra } });
    return functionEnvironment(staged, routes[route]!.uses, { tableName: 'fonella-prod' }).environment;
  };

  it.each(['answerHotlineCall', 'receiveHotlineCallStatus'] as const)("%s gets the channel lease from the stage's environment; four hours unless set", (route) => {
    expect(hotlineConfig.parse(hookEnv({ HOTLINE_CHANNEL_LEASE_SECONDS: '7200' }, route))).toMatchObject({ channelLeaseSeconds: 7200, dialTimeoutSeconds: 20 });
    expect(hotlineConfig.parse(hookEnv({}, route)).channelLeaseSeconds).toBe(DEFAULT_CHANNEL_LEASE_SECONDS);
    expect(DEFAULT_CHANNEL_LEASE_SECONDS).toBe(4 * 3600);
  });

  it('a lease shorter than a minute or longer than a day stops the function at cold start, naming the variable', () => {
    for (const bad of ['59', '86401', '1.5', 'four hours']) {
      expect(() => hotlineConfig.parse(hookEnv({ HOTLINE_CHANNEL_LEASE_SECONDS: bad }, 'answerHotlineCall')), bad).toThrow(/HOTLINE_CHANNEL_LEASE_SECONDS/);
    }
  });
});

describe('the test callback on a deployed stage', () => {
  const callerIds = Object.fromEntries(CALLBACK_ENV.callerIds.map((k, i) => [k, `+4930231250${30 + i}`]));
  const vapiIds = Object.fromEntries([...CALLBACK_ENV.assistants, ...CALLBACK_ENV.vapiPhoneNumbers].map((k) => [k, `id-${k.toLowerCase()}`]));
  const sipUris = Object.fromEntries(CALLBACK_ENV.vapiSipUris.map((k, i) => [k, `sip:fonella-callback-${i}@sip.eu.vapi.ai`]));

  it.each(['vapi', 'fonial', 'jambonz'] as const)('CALLBACK_PROVIDER=%s: the callback function gets what its configuration needs', async (provider) => {
    const staged = StackSettings.parse({ ...context.fonella, stage: 'prod', environment: { ...settings.environment, CALLBACK_PROVIDER: provider, ...callerIds, ...vapiIds, ...sipUris } });
    const { environment } = functionEnvironment(staged, routes.submitCallbackRequest!.uses, { tableName: 'fonella-prod' });
    const env = atColdStart(environment);
    await loadSecrets({ env });
    expect(callbackConfig.parse(env)).toMatchObject({ provider, callerIds: { de: '+493023125030', el: '+493023125034' } });
    expect(rateLimitConfig.parse(env)).toMatchObject({ callback: { limit: 10 }, callbackPerNumber: { limit: 3, windowSeconds: 86400 } });
  });

  it("jambonz's callback call hook gets each locale's Vapi SIP URI, and without one starts all the same (that locale's calls hear a message)", () => {
    const staged = StackSettings.parse({ ...context.fonella, stage: 'prod', environment: { ...settings.environment, CALLBACK_PROVIDER: 'jambonz', ...callerIds, ...sipUris } });
    const { environment } = functionEnvironment(staged, routes.answerCallbackCall!.uses, { tableName: 'fonella-prod' });
    expect(callbackSipConfig.parse(atColdStart(environment))).toEqual(Object.fromEntries(CALLBACK_LOCALES.map((l, i) => [l, sipUris[CALLBACK_ENV.vapiSipUris[i]!]])));
    expect(callbackSipConfig.parse({ STAGE: 'prod' })).toEqual(Object.fromEntries(CALLBACK_LOCALES.map((l) => [l, ''])));
  });

  it('with Vapi, every locale needs its assistant and phone number, with jambonz its SIP URI; no provider has local defaults off the local stack', () => {
    expect(() => callbackConfig.parse({ STAGE: 'prod', CALLBACK_PROVIDER: 'vapi', ...callerIds })).toThrow(/CALLBACK_ASSISTANT_DE/);
    expect(() => callbackConfig.parse({ STAGE: 'prod', CALLBACK_PROVIDER: 'jambonz', ...callerIds })).toThrow(/CALLBACK_VAPI_SIP_URI_DE/);
    expect(() => callbackConfig.parse({ STAGE: 'prod', CALLBACK_PROVIDER: 'jambonz', ...callerIds, ...sipUris, CALLBACK_VAPI_SIP_URI_EN: 'fonella@sip.vapi.ai' })).toThrow(/CALLBACK_VAPI_SIP_URI_EN/);
    expect(() => callbackConfig.parse({ STAGE: 'prod', CALLBACK_PROVIDER: 'fonial' })).toThrow(/CALLBACK_CALLER_ID_DE/);
    expect(() => callbackConfig.parse({ STAGE: 'prod', ...callerIds })).toThrow(/CALLBACK_PROVIDER/);
  });
});

describe('reCAPTCHA on a deployed stage', () => {
  const verifying = Object.values(routes).filter((r) => r.uses.providers?.includes('recaptcha'));

  it('the public forms verify reCAPTCHA', () => {
    expect(verifying.map((r) => r.name).sort()).toEqual(['submitCallbackRequest', 'submitContact', 'submitSupportTicket']);
  });

  it('a function is never given RECAPTCHA_OPTIONAL: no provider lists it, and the stage settings refuse it', () => {
    expect(LOCAL_ONLY_ENV).toContain('RECAPTCHA_OPTIONAL');
    for (const { plain, secret } of Object.values(PROVIDER_ENV)) for (const name of LOCAL_ONLY_ENV) expect([...plain, ...secret]).not.toContain(name);
    expect(() => StackSettings.parse({ ...context.fonella, environment: { ...context.fonella.environment, RECAPTCHA_OPTIONAL: '1' } })).toThrow(
      /local-only/,
    );
  });

  it.each(verifying.map((r) => [r.name, r] as const))('%s: its deployed configuration requires a token', async (_name, r) => {
    const { environment } = functionEnvironment(settings, r.uses, { tableName: 'fonella-prod' });
    expect(environment).not.toHaveProperty('RECAPTCHA_OPTIONAL');
    const env = atColdStart(environment);
    await loadSecrets({ env });
    expect(recaptchaConfig.parse(env)).toMatchObject({ tokenOptional: false, minScore: 0.5 });
  });
});

describe('the address policy on a deployed stage', () => {
  it('a function is never given ALLOW_LOOPBACK_ADDRESSES: no provider lists it, the stage settings refuse it, and a function that has it stops at cold start', () => {
    expect(LOCAL_ONLY_ENV).toContain('ALLOW_LOOPBACK_ADDRESSES');
    for (const { plain, secret } of Object.values(PROVIDER_ENV)) expect([...plain, ...secret]).not.toContain('ALLOW_LOOPBACK_ADDRESSES');
    expect(() => StackSettings.parse({ ...context.fonella, environment: { ...context.fonella.environment, ALLOW_LOOPBACK_ADDRESSES: '1' } })).toThrow(/local-only/);
    const { environment } = functionEnvironment(settings, routes.addIntegration!.uses, { tableName: 'fonella-prod' });
    expect(environment).not.toHaveProperty('ALLOW_LOOPBACK_ADDRESSES');
    expect(addressPolicyConfig.parse(atColdStart(environment))).toEqual({ allowLoopback: false });
    expect(() => addressPolicyConfig.parse({ ...atColdStart(environment), ALLOW_LOOPBACK_ADDRESSES: '1' })).toThrow(/local stack only/);
  });

  it.each(['createTool', 'receiveVapiMessage'])('%s is never given TOOL_ALLOW_HTTP_LOOPBACK: a tool URL must be https on a deployed stage; a function that has it stops at cold start', (name) => {
    expect(LOCAL_ONLY_ENV).toContain('TOOL_ALLOW_HTTP_LOOPBACK');
    expect(() => StackSettings.parse({ ...context.fonella, environment: { ...context.fonella.environment, TOOL_ALLOW_HTTP_LOOPBACK: '1' } })).toThrow(/local-only/);
    const { environment } = functionEnvironment(settings, routes[name]!.uses, { tableName: 'fonella-prod' });
    expect(environment).not.toHaveProperty('TOOL_ALLOW_HTTP_LOOPBACK');
    expect(toolConfig.parse(atColdStart(environment)).allowHttpLoopback).toBe(false);
    expect(() => toolConfig.parse({ ...atColdStart(environment), TOOL_ALLOW_HTTP_LOOPBACK: '1' })).toThrow(/local stack only/);
  });
});
