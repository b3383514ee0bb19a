// What a probe of the running stack found at the edge, each reproduced here: bodies in another media
// type or charset, Latin-1 bytes sent as JSON, unknown query parameters. Each is refused and
// nothing is written.
import { beforeAll, describe, expect, it } from 'vitest';
import { workerStack, type TestStack } from '../support/stack';
import { expectUnchanged, settle } from '../support/state';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

const form = { name: 'Renée', email: 'renee@example.com', message: 'Bonjour' };

async function post(body: string | Buffer, headers: Record<string, string>, query = '') {
  const res = await fetch(`${stack.apiUrl}/v1/public/contact${query}`, { method: 'POST', headers, body });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as { type?: string; errors?: { path: string }[] } };
}

describe('bodies', () => {
  it.each([
    ['no content type', {}],
    ['application/json-seq', { 'content-type': 'application/json-seq' }],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['a Latin-1 charset', { 'content-type': 'application/json; charset=ISO-8859-1' }],
    ['a UTF-16 charset', { 'content-type': 'application/json; charset=utf-16' }],
  ])('with %s → 415, nothing written', async (_what, headers) => {
    const before = await settle(stack);
    const res = await post(JSON.stringify(form), headers);
    expect(res.status).toBe(415);
    expect(res.body.type).toBe('urn:fonella:problem:unsupported-media-type');
    await expectUnchanged(stack, before, 'a refused media type');
  });

  it('Latin-1 bytes declared as JSON → 400 naming the field, not stored as U+FFFD', async () => {
    const before = await settle(stack);
    const latin1 = Buffer.from(JSON.stringify(form), 'latin1');
    const res = await post(latin1, { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.path)).toContain('body.name');
    await expectUnchanged(stack, before, 'a Latin-1 body');
  });

  it('application/json in any case, with charset=UTF-8, is accepted', async () => {
    const res = await post(JSON.stringify(form), { 'content-type': 'Application/JSON; Charset=UTF-8' });
    expect(res.status).toBe(202);
  });
});

describe('query parameters', () => {
  it('an unknown one → 400 naming it, nothing written', async () => {
    const before = await settle(stack);
    const res = await post(JSON.stringify(form), { 'content-type': 'application/json' }, '?admin=1');
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.path)).toEqual(['query.admin']);
    await expectUnchanged(stack, before, 'an unknown query parameter');
  });

  it('on a GET route too', async () => {
    const res = await stack.call('GET', '/v1/public/plans?debug=true');
    expect(res.status).toBe(400);
  });
});
