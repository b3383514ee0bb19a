// Configuration: local defaults on the local stages only; a deployed stage names what is missing.
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { parseConfig } from '../../shared/config/define';

const schema = z.object({ MAILGUN_API_KEY: z.string().min(1), MAILGUN_URL: z.url() });
const defaults = { MAILGUN_API_KEY: 'key-local', MAILGUN_URL: 'http://127.0.0.1:4002' };

describe('parseConfig', () => {
  it('fills gaps from the local defaults on the local stage', () => {
    expect(parseConfig('mail', schema, defaults, { STAGE: 'local' })).toEqual(defaults);
  });

  it('lets the environment override a default', () => {
    const c = parseConfig('mail', schema, defaults, { STAGE: 'test', MAILGUN_URL: 'https://api.eu.mailgun.net' });
    expect(c.MAILGUN_URL).toBe('https://api.eu.mailgun.net');
  });

  it('on a deployed stage, a missing variable fails naming it and no default leaks in', () => {
    expect(() => parseConfig('mail', schema, defaults, { STAGE: 'prod', MAILGUN_URL: 'https://api.mailgun.net' })).toThrow(
      /Invalid configuration \(mail\): MAILGUN_API_KEY/,
    );
  });

  it('refuses an unknown stage', () => {
    expect(() => parseConfig('mail', schema, defaults, { STAGE: 'staging' })).toThrow(/STAGE/);
  });
});
