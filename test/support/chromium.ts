// Headless Chromium for the browser tests: Debian's `chromium` package at /usr/bin/chromium. Where it
// is missing and this runs as root on Debian (CI, this project's machines), it is installed with
// apt-get, once; anywhere else the tests that need it are skipped, saying why and what to install.
// No browser is downloaded by a test tool (playwright-core drives the system's Chromium).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * The flags a headless Chromium needs here: no sandbox (root), no GPU, and none of its background
 * connections (updates, sync, QUIC), which a closed network refuses by the dozen.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type ChromiumAvailability = { ok: true; path: string } | { ok: false; reason: string };

function works(path: string): boolean {
  return existsSync(path) && spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20_000 }).status === 0;
}

/** Finds /usr/bin/chromium, installing Debian's package first where that is possible. */
export function ensureChromium(): ChromiumAvailability {
  if (works(CHROMIUM)) return { ok: true, path: CHROMIUM };
  const isRoot = process.getuid?.() === 0;
  const debian = existsSync('/etc/debian_version');
  const apt = spawnSync('apt-get', ['--version']).status === 0;
  if (!isRoot || !debian || !apt) {
    return {
      ok: false,
      reason: `${CHROMIUM} is missing and cannot be installed here (${!debian || !apt ? 'not Debian with apt-get' : 'not root'}): install Debian's chromium package (sudo apt-get install -y chromium)`,
    };
  }
  // apt-get's output goes straight to the terminal (stdio inherit), past the tests' log capture.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env, timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env, timeout: 600_000 });
  } catch (err) {
    return { ok: false, reason: `apt-get install chromium failed: ${(err as Error).message.split('\n')[0]}` };
  }
  return works(CHROMIUM) ? { ok: true, path: CHROMIUM } : { ok: false, reason: `apt-get installed chromium, but ${CHROMIUM} does not start` };
}

/** A fresh, empty profile directory for one browser. */
export function freshProfile(): string {
  return mkdtempSync(join(tmpdir(), 'fonella-chromium-'));
}
