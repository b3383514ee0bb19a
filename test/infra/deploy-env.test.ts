// What CDK hands a function for a provider (lib/settings.ts PROVIDER_ENV) must be enough for that
// provider's config to load on a deployed stage; otherwise the function would fail at cold start.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { baseEnvironment } from '../../lib/constructs/fonella-function';
import { PROVIDER_ENV, StackSettings } from '../../lib/settings';
import { appConfig } from '../../shared/config/app';
import { mailConfig } from '../../shared/config/mail';
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
  if (name.endsWith('_INBOX')) return 'team@fonella.app';
  if (name === 'MAIL_FROM') return 'Fonella <no-reply@mg.fonella.app>';
  if (name === 'MAILGUN_REGION') return 'eu';
  return 'configured-value-0123456789';
}

describe('deployed environment', () => {
  it.each(Object.keys(CONFIGS) as ProviderName[])('%s: the variables CDK sets are enough on a deployed stage', (provider) => {
    const { plain, secret } = PROVIDER_ENV[provider];
    const env: NodeJS.ProcessEnv = { STAGE: 'prod' };
    for (const name of [...plain, ...secret]) env[name] = sample(name);
    expect(() => CONFIGS[provider].parse(env)).not.toThrow();
  });

  it('and without them it fails at cold start, naming a variable', () => {
    expect(() => vapiConfig.parse({ STAGE: 'prod' })).toThrow(/VAPI_API_KEY/);
  });

  it('every function gets what the app config needs', () => {
    const context = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;
    const settings = StackSettings.parse({ ...context.fonella, stage: 'prod' });
    expect(appConfig.parse(baseEnvironment(settings))).toMatchObject({ stage: 'prod', maxBodyBytes: 65536, validateResponses: false });
  });
});
