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
