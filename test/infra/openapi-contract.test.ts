// The response check every integration call goes through (test/support/openapi-contract.ts) must
// refuse what the document does not say, or the suites prove nothing about the contract.
import { describe, expect, it } from 'vitest';
import { assertMatchesContract, type ObservedResponse } from '../support/openapi-contract';

const res = (r: Partial<ObservedResponse> & Pick<ObservedResponse, 'method' | 'path' | 'status'>): ObservedResponse => {
  const body = r.body;
  return { contentType: 'application/json', text: body === undefined ? '' : JSON.stringify(body), body, ...r };
};
const problem = (status: number, slug: string) => ({ type: `urn:fonella:problem:${slug}`, title: 't', status, detail: 'd' });
const health = { status: 'ok', service: 'fonella-api', stage: 'test', timestamp: '2025-01-01T00:00:00.000Z' };

describe('assertMatchesContract', () => {
  it('accepts documented responses, with query strings and a trailing slash', () => {
    assertMatchesContract(res({ method: 'GET', path: '/v1/health/?x=1', status: 200, body: health }));
    assertMatchesContract(res({ method: 'GET', path: '/v1/me', status: 401, body: { message: 'Unauthorized' } }));
    assertMatchesContract(
      res({ method: 'POST', path: '/v1/public/contact', status: 400, contentType: 'application/problem+json; charset=utf-8', body: problem(400, 'validation') }),
    );
  });

  it('refuses a body that does not match the schema', () => {
    expect(() => assertMatchesContract(res({ method: 'GET', path: '/v1/health', status: 200, body: { ...health, status: 'down' } }))).toThrow(
      /getHealth .*200 application\/json schema:\n.*\/status must be equal to constant/,
    );
  });

  it('refuses an undocumented status, content type or problem type', () => {
    expect(() => assertMatchesContract(res({ method: 'GET', path: '/v1/health', status: 418, body: {} }))).toThrow(/documents no 418/);
    expect(() =>
      assertMatchesContract(res({ method: 'GET', path: '/v1/me', status: 401, contentType: 'application/problem+json', body: problem(401, 'unauthorized') })),
    ).toThrow(/documents 401 as application\/json, not "application\/problem\+json"/);
    expect(() =>
      assertMatchesContract(
        res({ method: 'POST', path: '/v1/public/contact', status: 400, contentType: 'application/problem+json', body: problem(400, 'unexpected-body') }),
      ),
    ).toThrow(/\/type must be equal to one of the allowed values/);
  });

  it("paths without an operation: only API Gateway's own 404 (or 413); preflights: 204 without a body", () => {
    assertMatchesContract(res({ method: 'GET', path: '/v1/nowhere', status: 404, body: { message: 'Not Found' } }));
    assertMatchesContract(res({ method: 'DELETE', path: '/v1/health', status: 404, body: { message: 'Not Found' } }));
    assertMatchesContract(res({ method: 'OPTIONS', path: '/v1/me', status: 204, contentType: null }));
    expect(() => assertMatchesContract(res({ method: 'GET', path: '/v1/nowhere', status: 200, body: {} }))).toThrow(/no operation/);
    expect(() => assertMatchesContract(res({ method: 'GET', path: '/v1/nowhere', status: 404, body: problem(404, 'not-found') }))).toThrow(
      /API Gateway's own body/,
    );
  });
});
