// Configuration: local defaults on the local stages only; a deployed stage names what is missing; on
// Lambda a function without a deployed STAGE refuses to start (not the local defaults' public secrets).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { currentStage, parseConfig } from '../../shared/config/define';
import { DEFAULT_PLANS, LOCAL_PLANS, plansConfig } from '../../shared/config/plans';

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
    expect(() => parseConfig('mail', schema, defaults, lambda)).toThrow(/STAGE is not set/);
  });

  it("the local stack's and the tests' stages are refused too; dev and prod load", () => {
    for (const STAGE of ['local', 'test']) expect(() => currentStage({ ...lambda, STAGE }), STAGE).toThrow(/on Lambda a function runs as dev or prod only/);
    expect(currentStage({ ...lambda, STAGE: 'prod' })).toBe('prod');
    expect(currentStage({ ...lambda, STAGE: 'dev' })).toBe('dev');
  });

  it('off Lambda, no STAGE is still the local stack', () => {
    expect(currentStage({})).toBe('local');
    expect(parseConfig('mail', schema, defaults, {})).toEqual(defaults);
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
