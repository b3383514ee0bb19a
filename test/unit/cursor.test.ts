// Page cursors (shared/db/cursor.ts): what a listing encodes decodes to the same key, and whatever a
// client could send instead (not base64url, not JSON, another shape, another partition, other keys)
// is a 400 `invalid-cursor`, never a query.
import { describe, expect, it } from 'vitest';
import { CURSOR_MAX_LENGTH, InvalidCursorError, decodeCursor, encodeCursor, type CursorSpec } from '../../shared/db/cursor';

const spec: CursorSpec = { keys: ['pk', 'sk', 'gsi2pk', 'gsi2sk'], check: (k) => k.gsi2pk === 'POOL' };
const key = { pk: 'POOL#+4921155590001', sk: 'NUMBER', gsi2pk: 'POOL', gsi2sk: 'free#+4921155590001' };
const raw = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

const refused = (cursor: string) => {
  let err: unknown;
  try {
    decodeCursor(cursor, spec);
  } catch (e) {
    err = e;
  }
  expect(err, cursor).toBeInstanceOf(InvalidCursorError);
  expect(err).toMatchObject({ status: 400, slug: 'invalid-cursor' });
};

describe('page cursors', () => {
  it('round trip: the key a page ended on comes back as the next start key', () => {
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor!, spec)).toEqual(key);
    // Key order does not matter, only the set of keys.
    expect(decodeCursor(raw({ gsi2sk: key.gsi2sk, gsi2pk: 'POOL', sk: 'NUMBER', pk: key.pk }), spec)).toEqual(key);
  });

  it('no key is no cursor (the last page), and no cursor is the first page', () => {
    expect(encodeCursor(undefined)).toBeNull();
    expect(decodeCursor(undefined, spec)).toBeUndefined();
  });

  it('refuses what is not base64url, or not its canonical form', () => {
    refused('');
    refused('not a cursor!');
    refused('a+b/c=');
    refused('\ufffd\ufffd');
    refused(`${encodeCursor(key)}=`);
    // The same bytes with the unused low bits of the last character set: not what we wrote.
    const good = ['', 'x', 'xx'].map((pad) => raw({ ...key, sk: `NUMBER${pad}` })).find((c) => c.length % 4 !== 0)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const loose = good.slice(0, -1) + alphabet[alphabet.indexOf(good.at(-1)!) + 1];
    expect(Buffer.from(loose, 'base64url')).toEqual(Buffer.from(good, 'base64url'));
    refused(loose);
    refused('A'.repeat(CURSOR_MAX_LENGTH + 4));
  });

  it('refuses what is not JSON or not UTF-8', () => {
    refused(Buffer.from('{"pk": ', 'utf8').toString('base64url'));
    refused(Buffer.from('hello', 'utf8').toString('base64url'));
    refused(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64url'));
  });

  it('refuses the wrong shape: not an object, or values that are not non-empty strings', () => {
    for (const v of [null, 42, 'POOL', [key.pk, key.sk, key.gsi2pk, key.gsi2sk], true]) refused(raw(v));
    refused(raw({ ...key, sk: 7 }));
    refused(raw({ ...key, sk: { S: 'NUMBER' } }));
    refused(raw({ ...key, sk: null }));
    refused(raw({ ...key, sk: '' }));
  });

  it('refuses missing and extra keys', () => {
    const { gsi2sk: _gone, ...missing } = key;
    refused(raw(missing));
    refused(raw({ ...key, gsi1pk: 'ASSISTANT#x' }));
    refused(raw({ pk: key.pk, sk: key.sk, gsi2pk: 'POOL', other: key.gsi2sk }));
    refused(Buffer.from(`{"pk":"${key.pk}","sk":"NUMBER","gsi2pk":"POOL","gsi2sk":"${key.gsi2sk}","__proto__":{"x":"y"}}`).toString('base64url'));
  });

  it("refuses another partition: the listing's check decides", () => {
    refused(raw({ ...key, gsi2pk: 'TICKETS' }));
    const strict: CursorSpec = { ...spec, check: (k) => k.gsi2pk === 'POOL' && String(k.gsi2sk).startsWith('assigned#') };
    expect(() => decodeCursor(encodeCursor(key)!, strict)).toThrow(InvalidCursorError);
  });
});
