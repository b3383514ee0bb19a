// API key tokens (shared/crypto/api-key-tokens.ts): 256 random bits after `fon_live_` in base62, a
// 16-character prefix, the SHA-256 the table keeps; and the logger's redaction of any token it is
// handed (shared/observability/logger.ts).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashApiKeyToken, isApiKeyToken, isWellFormedApiKeyToken, newApiKeyToken } from '../../shared/crypto/api-key-tokens';
import { redact } from '../../shared/observability/logger';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The number a token's random part spells, as a 256-bit big-endian value. */
const valueOf = (body: string) => [...body].reduce((n, c) => n * 62n + BigInt(BASE62.indexOf(c)), 0n);

describe('newApiKeyToken', () => {
  it('is fon_live_ and 43 base62 characters spelling a number below 2^256; the prefix is its first 16 characters; the hash its SHA-256', () => {
    for (let i = 0; i < 200; i++) {
      const { token, prefix, hash } = newApiKeyToken();
      expect(token).toMatch(/^fon_live_[0-9A-Za-z]{43}$/);
      expect(isWellFormedApiKeyToken(token)).toBe(true);
      expect(valueOf(token.slice(9))).toBeLessThan(2n ** 256n);
      expect(prefix).toBe(token.slice(0, 16));
      expect(hash).toBe(createHash('sha256').update(token).digest('base64url'));
      expect(hashApiKeyToken(token)).toBe(hash);
    }
  });

  it('draws 256 bits: 2000 tokens all differ, and their random parts use the whole alphabet from the first character on', () => {
    const tokens = Array.from({ length: 2000 }, () => newApiKeyToken().token);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(new Set(tokens.flatMap((t) => [...t.slice(9)])).size).toBe(62);
    // The leading character takes 61 of the 62 values (2^256 / 62^42 ≈ 60.7): spread, not padding.
    expect(new Set(tokens.map((t) => t[9])).size).toBeGreaterThan(10);
    expect(new Set(tokens.map((t) => t.slice(0, 16))).size).toBe(tokens.length);
  });

  it('tells a key by its prefix, and one of our shape from anything else', () => {
    expect(isApiKeyToken('fon_live_x')).toBe(true);
    expect(isApiKeyToken('eyJhbGciOi.x.y')).toBe(false);
    for (const bad of ['fon_live_', `fon_live_${'a'.repeat(42)}`, `fon_live_${'a'.repeat(44)}`, `fon_live_${'a'.repeat(42)}-`, `FON_LIVE_${'a'.repeat(43)}`]) {
      expect(isWellFormedApiKeyToken(bad), bad).toBe(false);
    }
  });
});

describe('the logger', () => {
  it('keeps only the prefix of a token in any text, and nothing under a key named like one', () => {
    const { token } = newApiKeyToken();
    expect(redact('message', `the key ${token} failed`)).toBe(`the key ${token.slice(0, 16)}[redacted] failed`);
    expect(redact('authorization', `Bearer ${token}`)).toBe('[redacted]');
    expect(redact('note', `Bearer ${token}`)).not.toContain(token.slice(16));
    expect(redact('apiKey', token)).toBe('[redacted]');
    expect(redact('prefix', token.slice(0, 16))).toBe(token.slice(0, 16));
  });
});
