// Run by `npm test` after the other suites (the `logs` project, the last group in vitest.config.ts): every line they logged, at
// DEBUG level, captured by test/support/capture-logs.ts, holds no credential: no bearer token or JWT,
// no key, secret or password the local stack uses, no IBAN, no card number.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEmulators } from '../../lib/local/emulators';

const dir = join(new URL('../../', import.meta.url).pathname, '.local', 'test-logs');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.log')) : [];
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n')).filter(Boolean);

/** Every secret value the local stack's emulators accept (API keys, passwords, client and webhook secrets). */
function stackSecrets(): string[] {
  const values = new Set<string>();
  for (const { definition } of createEmulators().all) {
    for (const [k, v] of Object.entries(definition.credentials)) {
      if (/key|secret|password|token/i.test(k) && v.length >= 6) values.add(v);
    }
    for (const [k, v] of Object.entries(definition.env('http://127.0.0.1:1'))) {
      if (/KEY|SECRET|PASSWORD|TOKEN/.test(k) && v.length >= 6) values.add(v);
    }
  }
  return [...values];
}

const PATTERNS: [string, RegExp][] = [
  ['a JWT', /eyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{10,}/],
  ['a bearer or basic credential', /\b(Bearer|Basic)\s+(?!\[redacted\])[\w.~+/=-]{8,}/i],
  // More of a developer API key's token than its 16-character prefix (the tests' keys and the demo key).
  ['an API key token', /fon_live_[0-9A-Za-z]{8,}/],
  ['an IBAN', /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b/],
  ['a password field', /"[\w-]*password[\w-]*"\s*:\s*"(?!\[redacted\])[^"]+"/i],
  ['a webhook signing secret', /\bwhsec_[A-Za-z0-9+/=]{16,}/],
  // The SIP passwords test/integration/integrations.test.ts sends (`pw-<uuid>`), wherever they would appear.
  ['a SIP password of the integration tests', /\bpw-[0-9a-f]{8}-[0-9a-f]{4}-/],
];

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

describe('the logs of the whole test run', () => {
  it('were captured, at a level that logs requests', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('"message":"request"'))).toBe(true);
  });

  it('hold no secret of the local stack', () => {
    const secrets = stackSecrets();
    expect(secrets.length).toBeGreaterThan(3);
    const leaks = lines.flatMap((l) => secrets.filter((s) => l.includes(s)).map((s) => `${s.slice(0, 4)}…: ${l.slice(0, 300)}`));
    expect(leaks).toEqual([]);
  });

  it.each(PATTERNS)('hold no %s', (_what, pattern) => {
    expect(lines.filter((l) => pattern.test(l)).map((l) => l.slice(0, 300))).toEqual([]);
  });

  it('hold no card number', () => {
    // A UUID whose first groups happen to be all digits (54646490-5905-4926-...) is no card: UUIDs go first.
    // Nor is a number in E.164 (`+4921155598801`, a pool number in a stream record's keys): a `+` before the digits.
    const cards = lines.flatMap((l) => (l.replace(UUID, '<uuid>').match(/(?<!\+)\b(?:\d[ -]?){13,19}\b/g) ?? []).map((m) => m.replace(/\D/g, '')).filter((d) => d.length >= 13 && luhn(d) && /^[3-6]/.test(d)));
    expect(cards).toEqual([]);
  });
});
