// `npm ci` runs only the install scripts package.json allows (`allowScripts`) and names the packages
// it met that the field does not cover. Every package in the lock file with an install script is
// decided here, so a fresh install prints no such list, and a dependency that brings a new script
// fails this test until someone allows or refuses it (README, "What `npm ci` runs").
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  allowScripts: Record<string, boolean>;
  scarfSettings?: { enabled?: boolean };
};
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  packages: Record<string, { name?: string; hasInstallScript?: boolean }>;
};
const withScripts = [
  ...new Set(
    Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && p.hasInstallScript)
      .map(([path, p]) => p.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)),
  ),
].sort();

describe('install scripts', () => {
  it('every package with an install script is allowed or refused by name', () => {
    expect(withScripts.length).toBeGreaterThan(0);
    expect(withScripts.filter((name) => !(name in pkg.allowScripts))).toEqual([]);
    // Name-only entries: the lock holds no `resolved` URL, so a pinned `name@version` would never match.
    for (const key of Object.keys(pkg.allowScripts)) expect(key).not.toMatch(/.@/);
  });

  it('the runtime and esbuild run theirs; telemetry never runs', () => {
    expect(pkg.allowScripts).toMatchObject({ node: true, esbuild: true, '@scarf/scarf': false });
    expect(pkg.scarfSettings?.enabled).toBe(false);
  });

  it('allows nothing the lock file does not hold', () => {
    expect(Object.keys(pkg.allowScripts).filter((name) => !withScripts.includes(name))).toEqual([]);
  });
});
