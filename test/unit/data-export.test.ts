// The data export's document and CSV (shared/db/account-export.ts, shared/domain/data-export.ts): no
// field named like a secret survives at any depth, nor a key of ours; a row's TTL reads as a date; a
// CSV cell is quoted as RFC 4180 says and cannot start a spreadsheet formula.
import { describe, expect, it } from 'vitest';
import { EXPORT_SECTIONS, withoutSecrets } from '../../shared/db/account-export';
import { callsCsv } from '../../shared/domain/data-export';

describe('withoutSecrets', () => {
  it('drops keys and any field named like a secret, at any depth; keeps ids; a TTL becomes deletedAfter', () => {
    const row = {
      pk: 'USER#u',
      sk: 'SETTINGS',
      gsi1pk: 'x',
      entity: 'settings',
      email: 'a@example.com',
      pendingEmailTokenHash: 'abc',
      nested: [{ authPassword: 'pw', pushToken: 't', apiKey: 'k', webhookSecret: 's', sealed: {}, vapiCredentialId: 'cred-1', keep: 1 }],
      ttl: 1_800_000_000,
    };
    expect(withoutSecrets(row)).toEqual({
      email: 'a@example.com',
      nested: [{ vapiCredentialId: 'cred-1', keep: 1 }],
      deletedAfter: new Date(1_800_000_000_000).toISOString(),
    });
  });

  it('every section has a name of its own and says what it holds', () => {
    const names = EXPORT_SECTIONS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of EXPORT_SECTIONS) expect(s.describes.length).toBeGreaterThan(10);
  });

  it("the API keys' and webhook endpoints' sections hold what their owner lists, never a token's hash or a signing secret", async () => {
    const partition = [
      { pk: 'USER#u', sk: 'APIKEY#k1', keyId: 'k1', name: 'CRM', prefix: 'fon_live_a1b2c3d', scopes: ['calls:read'], createdAt: '2026-01-01T00:00:00.000Z', expiresAt: null, tokenHash: 'f'.repeat(64) },
      {
        pk: 'USER#u',
        sk: 'WEBHOOK#wh_1',
        subscriptionId: 'wh_1',
        url: 'https://hooks.example.com/in',
        eventTypes: ['call.ended'],
        enabled: true,
        secret: 'whsec_bmV3c2VjcmV0bmV3c2VjcmV0',
        previousSecret: 'whsec_b2xkc2VjcmV0b2xkc2VjcmV0',
        previousSecretExpiresAt: '2026-01-02T00:00:00.000Z',
      },
    ];
    const ctx = { t: undefined as never, userId: 'u', partition, now: new Date('2026-01-01T12:00:00.000Z') };
    const section = async (name: string) => withoutSecrets(await EXPORT_SECTIONS.find((s) => s.name === name)!.read(ctx));
    expect(await section('apiKeys')).toEqual([{ keyId: 'k1', name: 'CRM', prefix: 'fon_live_a1b2c3d', scopes: ['calls:read'], createdAt: '2026-01-01T00:00:00.000Z', expiresAt: null }]);
    const endpoints = await section('webhookEndpoints');
    expect(endpoints).toEqual([{ subscriptionId: 'wh_1', url: 'https://hooks.example.com/in', eventTypes: ['call.ended'], enabled: true }]);
    expect(JSON.stringify(endpoints)).not.toContain('whsec_');
  });
});

describe('the tool calls section', () => {
  it('holds the tool calls the account still keeps: none past its TTL, as with the calls', async () => {
    const now = new Date('2026-06-01T12:00:00.000Z');
    const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
    const row = (id: string, ttl?: number) => ({ pk: 'USER#u', sk: `TOOLCALL#c-${id}#2026-01-01T00:00:00.000Z#${id}`, callId: `c-${id}`, toolCallId: id, name: 't', outcome: 'ok', ...(ttl ? { ttl } : {}) });
    const partition = [row('kept', at('2026-09-01T00:00:00.000Z')), row('expired', at('2026-05-31T00:00:00.000Z')), row('untimed')];
    const read = await EXPORT_SECTIONS.find((x) => x.name === 'toolCalls')!.read({ t: undefined as never, userId: 'u', partition, now });
    expect((read as { toolCallId: string }[]).map((r) => r.toolCallId)).toEqual(['kept', 'untimed']);
  });
});

describe('callsCsv', () => {
  it('a header, one line per call; quotes, commas and line breaks quoted; formulas defused; numbers as they are', () => {
    const csv = callsCsv([
      { callId: 'c1', callerNumber: '+4915112345678', summary: 'Er sagte "Hallo", dann\nlegte er auf', cost: 0.12 },
      { callId: 'c2', summary: '=HYPERLINK("http://x")', transcript: '-1+2', endedReason: '@cmd' },
    ]);
    const [header, first, second] = csv.split('\r\n');
    expect(header).toBe('callId,startedAt,endedAt,durationSeconds,callerNumber,endedReason,summary,transcript,recordingUrl,cost,deletedAfter');
    expect(first).toBe('c1,,,,+4915112345678,,"Er sagte ""Hallo"", dann\nlegte er auf",,,0.12,');
    expect(second).toBe(`c2,,,,,'@cmd,"'=HYPERLINK(""http://x"")",'-1+2,,,`);
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});
