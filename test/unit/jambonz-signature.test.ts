// jambonz's webhook signature (shared/providers/jambonz/signature.ts) against the scheme jambonz's own
// client library verifies: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">, any of several v1, five minutes.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signJambonzBody, verifyJambonzSignature } from '../../shared/providers/jambonz/signature';

const secret = 'wh_secret_for_the_test';
const body = '{"call_sid":"c1","call_status":"trying"}';
const now = 1_764_000_000;
const v1 = (t: number, b = body, s = secret) => createHmac('sha256', s).update(`${t}.${b}`).digest('hex');

describe('Jambonz-Signature', () => {
  it('signs as t=<unix>,v1=<HMAC-SHA256 hex of "t.body">', () => {
    expect(signJambonzBody(body, secret, now)).toBe(`t=${now},v1=${v1(now)}`);
  });

  it('accepts its own signature, and one v1 among several (a rotated secret)', () => {
    expect(verifyJambonzSignature(body, signJambonzBody(body, secret, now), secret, now)).toBe(true);
    expect(verifyJambonzSignature(body, `t=${now},v1=${v1(now, body, 'old')},v1=${v1(now)}`, secret, now)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['no timestamp', `v1=${v1(now)}`],
    ['no v1', `t=${now}`],
    ['another scheme only', `t=${now},v0=${v1(now)}`],
    ['the wrong secret', `t=${now},v1=${v1(now, body, 'not-it')}`],
    ['another body', `t=${now},v1=${v1(now, `${body} `)}`],
    ['older than five minutes', `t=${now - 301},v1=${v1(now - 301)}`],
    ['more than five minutes ahead', `t=${now + 301},v1=${v1(now + 301)}`],
    ['a timestamp that is not a number', `t=abc,v1=${v1(now)}`],
  ])('refuses %s', (_what, header) => {
    expect(verifyJambonzSignature(body, header, secret, now)).toBe(false);
  });

  it('accepts a timestamp up to five minutes old', () => {
    expect(verifyJambonzSignature(body, `t=${now - 300},v1=${v1(now - 300)}`, secret, now)).toBe(true);
  });
});
