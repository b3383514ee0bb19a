// The README's generated per-route table (scripts/bench-readme.ts, `npm run bench -- --routes --readme`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTES_SECTION, emptySection, replaceSection, routesTable } from '../../scripts/bench-readme';

describe('the README section the bench writes', () => {
  const doc = (inner: string) => `# Title\n\nbefore\n${emptySection('s').replace('\n', `\n${inner}`)}\nafter\n`;

  it('replaces what lies between the markers, and nothing else', () => {
    const once = replaceSection(doc('old table\n'), 's', '| a |\n| --- |\n');
    expect(once).toBe(`# Title\n\nbefore\n${emptySection('s').replace('\n', '\n| a |\n| --- |\n')}\nafter\n`);
    // Again with the same body: unchanged.
    expect(replaceSection(once, 's', '| a |\n| --- |')).toBe(once);
  });

  it('refuses a README without the markers, with one twice, or out of order', () => {
    expect(() => replaceSection('no markers', 's', 'x')).toThrow(/needs the markers/);
    expect(() => replaceSection(doc('') + doc(''), 's', 'x')).toThrow(/once each/);
    const [open, close] = emptySection('s').split('\n');
    expect(() => replaceSection(`${close}\n${open}`, 's', 'x')).toThrow(/comes before/);
  });

  it('the README has the per-route section', () => {
    expect(() => replaceSection(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'), ROUTES_SECTION, 'x')).not.toThrow();
  });

  it('lists each route by its manifest path with its round trips and provider calls, without the ranges that move, or why it has none', () => {
    const table = routesTable(['getMe', 'odd', 'missing'], new Map([
      ['getMe', { request: 'GET /v1/me?x=1 (customer)', route: 'GET /v1/me?x=1', as: 'customer', tableText: '1 (Query) [1–2]', providerText: '0', afterwards: '-', steady: { table: '1 (Query)', providers: '0', afterwards: '-' } }],
      ['odd', { request: 'POST /x/42', route: 'POST /x/{id}', note: 'answered 500 | oops' }],
    ]));
    expect(table.split('\n')).toEqual([
      '| route | request (as) | table round trips | provider calls | then, by stream workers |',
      '| --- | --- | --- | --- | --- |',
      '| `getMe` | `GET /v1/me?x=1` (customer) | 1 (Query) | 0 | - |',
      '| `odd` | `POST /x/{id}` | answered 500 \\| oops | | |',
    ]);
  });
});
