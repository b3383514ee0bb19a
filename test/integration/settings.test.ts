// PATCH /v1/me/settings through the local API: each field alone and together (the answer, the row and
// GET /v1/me agree; a new address pending its confirmation, test/integration/email-verification.test.ts),
// the row created by a change before any GET /v1/me, time zones as IANA writes
// them, every refusal answered 400 naming the field and changing nothing, and one caller's change
// touching no other caller's row.
import { beforeAll, describe, expect, it } from 'vitest';
import { workerStack, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';
import { newUser as stackUser, rowOf, rowsOf } from '../support/users';

const PATH = '/v1/me/settings';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

/** A new user with a token carrying their email and name (or only the claims given). */
async function newUser(claims: { email?: string; name?: string } = { email: 'ada@example.com', name: 'Ada Lovelace' }) {
  const { sub, token } = await stackUser(stack, { prefix: 'settings', email: claims.email ?? null, name: claims.name });
  return { sub, token };
}

const patch = (token: string, body?: unknown) => stack.call('PATCH', PATH, { token, body });
const getMe = (token: string) => stack.call('GET', '/v1/me', { token });
const settingsRow = (sub: string) => rowOf(stack, sub, 'SETTINGS');

/** Lets the clock pass a millisecond, so that a later write's `updatedAt` can be told from an earlier one's. */
const nextMillisecond = async () => {
  const start = Date.now();
  while (Date.now() === start) await new Promise((r) => setTimeout(r, 1));
};

describe('PATCH /v1/me/settings', () => {
  it('changes each field alone, then all together; the answer, the row and GET /v1/me agree', async () => {
    const { sub, token } = await newUser();
    const first = await getMe(token);
    expect(first.status).toBe(200);
    let current = first.body.settings;
    const createdAt = current.createdAt;

    const changes: Record<string, unknown>[] = [
      { name: 'Grace Hopper' },
      { email: 'grace@example.com' },
      { timezone: 'America/New_York' },
      { locale: 'en' },
      { name: 'Ada King', email: 'ada.king@example.com', timezone: 'Asia/Tokyo', locale: 'de' },
    ];
    for (const change of changes) {
      await nextMillisecond();
      const res = await patch(token, change);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      // A new address waits for its confirmation: the one in use stays.
      const { email, ...direct } = change;
      const pendingEmail = email === undefined ? current.pendingEmail : { email, expiresAt: expect.any(String) };
      expect(res.body).toEqual({ ...current, ...direct, pendingEmail, updatedAt: expect.any(String) });
      expect(res.body.createdAt).toBe(createdAt);
      expect(res.body.updatedAt > current.updatedAt).toBe(true);
      expect((await getMe(token)).body.settings).toEqual(res.body);
      current = res.body;
    }

    // The retention fields show the stage's defaults; the row holds none until the customer chooses.
    const { pendingEmail, callRetentionDays: _days, transcriptStorage: _storage, ...stored } = current;
    expect(await settingsRow(sub)).toMatchObject({
      pk: `USER#${sub}`,
      sk: 'SETTINGS',
      entity: 'settings',
      ...stored,
      email: 'ada@example.com',
      pendingEmail: pendingEmail.email,
      pendingEmailExpiresAt: pendingEmail.expiresAt,
    });
    expect(pendingEmail.email).toBe('ada.king@example.com');
  });

  it('stores a name trimmed, as the one-line text type takes it', async () => {
    const { token } = await newUser();
    const res = await patch(token, { name: '  Ada Lovelace  ' });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Ada Lovelace');
  });

  it('before any GET /v1/me, creates a complete settings row from the token and the change', async () => {
    const { sub, token } = await newUser({ email: 'first@example.com', name: 'First Caller' });
    expect(await settingsRow(sub)).toBeUndefined();

    const res = await patch(token, { timezone: 'UTC' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      userId: sub,
      email: 'first@example.com',
      emailVerified: true,
      pendingEmail: null,
      name: 'First Caller',
      timezone: 'UTC',
      locale: 'de',
      role: 'owner',
      callRetentionDays: 90,
      transcriptStorage: 'full',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(res.body.updatedAt).toBe(res.body.createdAt);
    const { pendingEmail: _none, callRetentionDays: _days, transcriptStorage: _storage, ...stored } = res.body;
    expect(await settingsRow(sub)).toEqual({ pk: `USER#${sub}`, sk: 'SETTINGS', entity: 'settings', ...stored });

    // GET /v1/me finds the row and keeps it as it is.
    const me = await getMe(token);
    expect(me.body.settings).toEqual(res.body);
    expect(await rowsOf(stack, sub)).toHaveLength(1);
  });

  it("before any GET /v1/me, an email in the body waits for its confirmation beside the token's, and missing claims stay null", async () => {
    const withEmail = await newUser({ email: 'token@example.com', name: 'Token Name' });
    const res = await patch(withEmail.token, { email: 'chosen@example.com', locale: 'en' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      email: 'token@example.com',
      emailVerified: true,
      pendingEmail: { email: 'chosen@example.com' },
      name: 'Token Name',
      locale: 'en',
      timezone: 'Europe/Berlin',
      role: 'owner',
    });

    const bare = await newUser({});
    const bareRes = await patch(bare.token, { locale: 'en' });
    expect(bareRes.status).toBe(200);
    expect(bareRes.body).toMatchObject({ userId: bare.sub, email: null, emailVerified: false, pendingEmail: null, name: null, locale: 'en', timezone: 'Europe/Berlin', role: 'owner' });
    expect(await settingsRow(bare.sub)).toMatchObject({ email: null, name: null, entity: 'settings' });
  });

  it.each(['UTC', 'America/Argentina/Buenos_Aires', 'Europe/Berlin', 'Asia/Kolkata', 'Etc/GMT-14'])(
    'takes the time zone %s and stores it as sent',
    async (timezone) => {
      const { sub, token } = await newUser();
      const res = await patch(token, { timezone });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.timezone).toBe(timezone);
      expect((await settingsRow(sub))?.timezone).toBe(timezone);
    },
  );

  describe('refusals: 400 naming the field, and nothing changes', () => {
    const refused: [string, unknown, string, RegExp][] = [
      ['an empty body {}', {}, 'body', /at least one field/],
      ['no body at all', undefined, 'body', /at least one field/],
      ['an unknown field', { nickname: 'Ada' }, 'body.nickname', /Unknown field/],
      ['a user id (the caller is the token)', { userId: 'auth0|someone-else', name: 'Mallory' }, 'body.userId', /Unknown field/],
      ['a role', { role: 'owner', locale: 'en' }, 'body.role', /Unknown field/],
      ['a bad email', { email: 'not-an-email' }, 'body.email', /email/i],
      ['an email over 254 characters', { email: `${'a'.repeat(250)}@example.com` }, 'body.email', /254/],
      ['timezone Mars/Olympus', { timezone: 'Mars/Olympus' }, 'body.timezone', /IANA time zone/],
      ['timezone in the wrong case', { timezone: 'europe/berlin' }, 'body.timezone', /case-sensitive: write "Europe\/Berlin"/],
      ['timezone utc in lower case', { timezone: 'utc' }, 'body.timezone', /write "UTC"/],
      ['an empty timezone', { timezone: '' }, 'body.timezone', /IANA time zone/],
      ['a UTC offset as timezone', { timezone: '+01:00' }, 'body.timezone', /IANA time zone/],
      ['a timezone with a trailing space', { timezone: 'Europe/Berlin ' }, 'body.timezone', /IANA time zone/],
      ['a name over 120 characters', { name: 'x'.repeat(121) }, 'body.name', /120/],
      ['a name with a control character', { name: 'Ada\u0007' }, 'body.name', /control characters/],
      ['a name over two lines', { name: 'Ada\nLovelace' }, 'body.name', /control characters/],
      ['a blank name', { name: '   ' }, 'body.name', /./],
      ['a locale we do not write in', { locale: 'fr' }, 'body.locale', /de|en/],
      ['name null', { name: null }, 'body.name', /Must not be null/],
      ['email null', { email: null }, 'body.email', /Must not be null/],
      ['timezone null', { timezone: null }, 'body.timezone', /Must not be null/],
      ['locale null', { locale: null }, 'body.locale', /Must not be null/],
      ['a valid field beside a null one', { timezone: 'UTC', name: null }, 'body.name', /Must not be null/],
      ['a number for a name', { name: 42 }, 'body.name', /string/],
    ];

    let token = '';
    beforeAll(async () => {
      const user = await newUser();
      token = user.token;
      expect((await patch(token, { name: 'Before Refusals', timezone: 'Europe/Berlin' })).status).toBe(200);
    });

    it.each(refused)('%s', async (label, body, path, message) => {
      const before = await settle(stack);
      const res = await patch(token, body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.type).toBe('urn:fonella:problem:validation');
      const error = (res.body.errors as { path: string; message: string }[]).find((e) => e.path === path);
      expect(error, JSON.stringify(res.body.errors)).toBeDefined();
      expect(error!.message).toMatch(message);
      await expectUnchanged(stack, before, label);
    });
  });

  it("one caller's change leaves another caller's row byte-identical", async () => {
    const a = await newUser({ email: 'a@example.com', name: 'User A' });
    const b = await newUser({ email: 'b@example.com', name: 'User B' });
    expect((await patch(a.token, { name: 'A Changed', timezone: 'Europe/Vienna' })).status).toBe(200);
    const aBefore = JSON.stringify(await settingsRow(a.sub));

    await nextMillisecond();
    const res = await patch(b.token, { name: 'B Changed', email: 'b2@example.com', timezone: 'UTC', locale: 'en' });
    expect(res.status).toBe(200);
    expect(res.body.userId).toBe(b.sub);

    expect(JSON.stringify(await settingsRow(a.sub))).toBe(aBefore);
    expect(await settingsRow(b.sub)).toMatchObject({ name: 'B Changed', email: 'b@example.com', pendingEmail: 'b2@example.com', timezone: 'UTC', locale: 'en' });
    expect((await getMe(a.token)).body.settings).toMatchObject({ userId: a.sub, name: 'A Changed', email: 'a@example.com' });
  });

  it('without a token → 401, and nothing is written', async () => {
    const before = await settle(stack);
    expect((await stack.call('PATCH', PATH, { body: { name: 'Nobody' } })).status).toBe(401);
    await expectUnchanged(stack, before, 'PATCH without a token');
  });
});
