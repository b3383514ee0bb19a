// The test callback through the local API, for one provider: the callback suites set
// CALLBACK_PROVIDER before their stack starts (a handler reads its configuration once, at its first
// request, as at a cold start), one file per provider, since vitest gives each file its own process.
import { expect, it } from 'vitest';
import { CALLBACK_LOCAL, CALLBACK_LOCALES, type CallbackLocale, type CallbackProvider } from '../../shared/config/callback';
import { CALLBACK_PK_PREFIX } from '../../shared/db/callbacks';
import { CALLER_TEXT_MARK } from '../../shared/domain/callback';
import { postFrom as postJsonFrom, type Answer } from './post-from';
import { recaptchaToken } from './recaptcha';
import type { TestStack } from './stack';

export const CALLBACK_PATH = '/v1/public/callback-requests';

export type { Answer } from './post-from';

/** POSTs a callback request from the loopback address `from`, checked against the OpenAPI document. */
export function postFrom(stack: TestStack, from: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return postJsonFrom(stack, from, CALLBACK_PATH, body, headers);
}

export const callbackBody = (fields: Record<string, unknown>) => ({ recaptchaToken: recaptchaToken('callback_request'), ...fields });

export const callbackRows = async (stack: TestStack) => (await stack.scan()).filter((r) => String(r.pk).startsWith(CALLBACK_PK_PREFIX));

/** The calls the provider's emulator placed, each as (number called, caller ID or assistant, variables). */
export async function placedCalls(stack: TestStack, provider: CallbackProvider): Promise<{ to: string; raw: Record<string, unknown> }[]> {
  if (provider === 'vapi') {
    const { calls } = await stack.inspect<{ calls: Record<string, any>[] }>('vapi'); // eslint-disable-line @typescript-eslint/no-explicit-any -- emulator JSON
    return calls.map((c) => ({ to: String(c.customer.number), raw: c }));
  }
  if (provider === 'fonial') {
    const { callbacks } = await stack.inspect<{ callbacks: Record<string, any>[] }>('fonial'); // eslint-disable-line @typescript-eslint/no-explicit-any -- emulator JSON
    return callbacks.map((c) => ({ to: String(c.target), raw: c }));
  }
  const { calls } = await stack.inspect<{ calls: Record<string, any>[] }>('jambonz'); // eslint-disable-line @typescript-eslint/no-explicit-any -- emulator JSON
  return calls.map((c) => ({ to: String(c.to.number), raw: c }));
}

/** Where a provider's call-creating request goes, to inject a fault there alone. */
const CALL_PATH: Record<CallbackProvider, string> = { vapi: '/call', fonial: '/call/initiate', jambonz: '/Calls' };

/** The tests every provider passes: a call per locale, and a provider fault. */
export function providerSuite(getStack: () => TestStack, provider: CallbackProvider, ipBase: number): void {
  const number = (i: number) => `+4917012345${String(10 + i).padStart(2, '0')}`;

  it(`${provider}: a callback in each locale is placed with that locale's caller ID and assistant, and the variables`, async () => {
    const stack = getStack();
    for (const [i, locale] of CALLBACK_LOCALES.entries()) {
      const res = await postFrom(stack, `127.0.0.${ipBase}`, callbackBody({ phoneNumber: number(i), locale, company: `Firma ${locale}`, preferredWindow: 'heute 14-16 Uhr', notes: 'Bitte\nzurückrufen.' }));
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body).toMatchObject({ status: 'placed', requestId: expect.any(String) });
      const row = (await callbackRows(stack)).find((r) => r.requestId === res.body.requestId);
      expect(row).toMatchObject({ status: 'placed', provider, locale, phoneNumber: number(i), callerId: CALLBACK_LOCAL.callerIds[locale], ttl: expect.any(Number) });
      const calls = (await placedCalls(stack, provider)).filter((c) => c.to === number(i));
      expect(calls).toHaveLength(1);
      const call = calls[0]!.raw;
      const typed = { company: `Firma ${locale}`, preferredWindow: 'heute 14-16 Uhr', notes: 'Bitte\nzurückrufen.' };
      // What the assistant gets: each text marked as the caller's and quoted (shared/domain/callback.ts).
      const variables = {
        company: `${CALLER_TEXT_MARK}"Firma ${locale}"`,
        preferredWindow: `${CALLER_TEXT_MARK}"heute 14-16 Uhr"`,
        notes: `${CALLER_TEXT_MARK}"Bitte\\nzurückrufen."`,
      };
      // The row keeps what was typed.
      expect(row).toMatchObject(typed);
      if (provider === 'vapi') {
        expect(call).toMatchObject({ assistantId: CALLBACK_LOCAL.assistantIds[locale], phoneNumberId: CALLBACK_LOCAL.vapiPhoneNumberIds[locale], assistantOverrides: { variableValues: { ...variables, locale } } });
        expect(row!.providerCallId).toBe(call.id);
      } else if (provider === 'jambonz') {
        expect(call).toMatchObject({ from: CALLBACK_LOCAL.callerIds[locale], application_sid: CALLBACK_LOCAL.jambonzApplicationSid, tag: { ...variables, locale, purpose: 'callback' } });
        expect(row!.providerCallId).toBe(call.call_sid);
      } else {
        // fonial rings its device, then the number: no caller ID or variables to pass, no call id back.
        expect(row!.providerCallId).toBeUndefined();
      }
    }
  });

  it(`${provider}: a provider fault is 502, the request stored as failed, and no call placed`, async () => {
    const stack = getStack();
    const target = number(20);
    await stack.fault(provider, { mode: 'error', count: 1, match: CALL_PATH[provider] });
    const res = await postFrom(stack, `127.0.0.${ipBase + 1}`, callbackBody({ phoneNumber: target, locale: 'en' as CallbackLocale }));
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.type).toMatch(/^urn:fonella:problem:provider-/);
    const rows = (await callbackRows(stack)).filter((r) => r.phoneNumber === target);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', failure: res.body.type.replace('urn:fonella:problem:', ''), failedAt: expect.any(String) });
    expect(rows[0]!.providerCallId).toBeUndefined();
    expect((await placedCalls(stack, provider)).filter((c) => c.to === target)).toHaveLength(0);
  });
}
