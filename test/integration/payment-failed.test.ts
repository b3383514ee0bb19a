// The failed-payment email from the table's stream: a PAYMENT_FAILED row, written the way the Stripe
// webhook writes it, gets its user one email in their language (German by default) with the amount,
// the plan's name and the link to the portal's billing page, and the row carries Mailgun's id. Once
// per invoice: a repeated event, a redelivered record and a re-run of the use case send nothing more
// (an unmarked row, once); a user without an address gets nothing and nothing fails; a Mailgun fault
// is retried by the stream.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { invoke, lambdaContext } from '../../lib/local/lambda';
import { appConfig } from '../../shared/config/app';
import { plansConfig } from '../../shared/config/plans';
import { paymentFailuresRepository, type PaymentFailureRow } from '../../shared/db/payment-failures';
import { usersRepository } from '../../shared/db/users';
import { notifyPaymentFailed } from '../../shared/domain/payment-failed';
import { configuredMailer } from '../../shared/providers/mailgun';
import { workerStack, waitFor, type SentMail, type TestStack } from '../support/stack';
import { newUser as stackUser, rowOf as userRow, type PlanId } from '../support/users';

let stack: TestStack;
beforeAll(async () => {
  stack = await workerStack();
});

interface User {
  sub: string;
  email?: string;
  subscriptionId: string;
}

/**
 * A user whose SETTINGS row PATCH /v1/me/settings created (the address from the token's claim, none
 * without `email`), with a subscription on `planId`.
 */
async function newUser(opts: { settings: Record<string, string>; email?: boolean; planId?: PlanId }): Promise<User> {
  const id = randomUUID().slice(0, 8);
  const subscriptionId = `sub_${id}`;
  const { sub, email, token } = await stackUser(stack, {
    prefix: 'payfail',
    email: opts.email === false ? null : undefined,
    subscription: { planId: opts.planId ?? 'business', status: 'past_due', stripeCustomerId: `cus_${id}`, stripeSubscriptionId: subscriptionId },
  });
  const res = await stack.call('PATCH', '/v1/me/settings', { token, body: opts.settings });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.email ?? undefined).toBe(email);
  return { sub, email, subscriptionId };
}

/** A failure as the webhook records it on `invoice.payment_failed`. */
const failure = (u: User, over: Partial<PaymentFailureRow> = {}): PaymentFailureRow => ({
  invoiceId: `in_${randomUUID().replaceAll('-', '').slice(0, 14)}`,
  subscriptionId: u.subscriptionId,
  amountDue: 7900,
  currency: 'eur',
  failedAt: '2026-11-25T13:05:00.000Z',
  eventId: `evt_${randomUUID().replaceAll('-', '').slice(0, 14)}`,
  ...over,
});

const record = (u: User, row: PaymentFailureRow) => paymentFailuresRepository(stack.table).record(u.sub, row);
const rowOf = (u: User, invoiceId: string) => userRow(stack, u.sub, `PAYMENT_FAILED#${invoiceId}`);
const mailsFor = async (invoiceId: string) => (await stack.mails()).filter((m) => m.variables.invoiceId === invoiceId);
const billingLink = () => `${appConfig().portalUrl}/billing`;

/** Records the failure and waits for the worker: the one email, once the row carries its id. */
async function notified(u: User, row: PaymentFailureRow): Promise<SentMail> {
  expect(await record(u, row)).toBe(true);
  await stack.streams.idle();
  await waitFor('the mark on the failure row', async () => Boolean((await rowOf(u, row.invoiceId))?.mailId));
  const mails = await mailsFor(row.invoiceId);
  expect(mails).toHaveLength(1);
  expect((await rowOf(u, row.invoiceId))!.mailId).toBe(mails[0]!.id);
  return mails[0]!;
}

/** The use case as the worker builds it, with the real adapters (the Mailgun emulator, this table). */
function useCaseDeps() {
  const users = usersRepository(stack.table);
  return {
    paymentFailures: paymentFailuresRepository(stack.table),
    recipient: (userId: string) => users.findSettings(userId),
    subscription: async (userId: string) => (await users.loadUser(userId)).subscription,
    plans: plansConfig().plans,
    mailer: configuredMailer(),
    portalUrl: appConfig().portalUrl,
  };
}

describe('the failed-payment email (notifyPaymentFailed)', () => {
  it('emails a German user by default, in German: amount, plan, time in their zone, the billing link; the row marked with Mailgun’s id', async () => {
    const u = await newUser({ settings: { name: 'Grete Beispiel' }, planId: 'premium' });
    const row = failure(u, { amountDue: 19900 });
    const mail = await notified(u, row);

    expect(mail.to).toEqual([u.email]);
    expect(mail.subject).toBe('Zahlung fehlgeschlagen: Ihr Fonella-Abo');
    expect(mail.tags).toEqual(['payment-failed']);
    expect(mail.variables).toEqual({ mail: 'payment-failed', invoiceId: row.invoiceId });
    expect(mail.text).toContain('Tarif: Premium');
    expect(mail.text).toContain('Betrag: 199,00\u00a0€');
    // 13:05 UTC is 14:05 in Berlin in November (the settings' default zone).
    expect(mail.text).toContain('Zeitpunkt: 25.11.2026, 14:05 (Europe/Berlin)');
    expect(mail.text).toContain(`Rechnung: ${row.invoiceId}`);
    expect(mail.text).toContain(billingLink());
    expect(mail.html).toContain('<html lang="de">');
    expect(mail.html).toContain(`<a href="${billingLink()}"`);
    expect(mail.html).toContain('Zahlungsmethode aktualisieren');

    const marked = (await rowOf(u, row.invoiceId))!;
    expect(marked).toMatchObject({ mailId: mail.id, sentAt: expect.any(String), invoiceId: row.invoiceId, amountDue: 19900 });
  });

  it('writes English when the settings say en, with the time in the user’s zone', async () => {
    const u = await newUser({ settings: { locale: 'en', timezone: 'America/New_York' }, planId: 'starter' });
    const row = failure(u, { amountDue: 2900 });
    const mail = await notified(u, row);
    expect(mail.to).toEqual([u.email]);
    expect(mail.subject).toBe('Payment failed: your Fonella subscription');
    expect(mail.text).toContain('Plan: Starter');
    expect(mail.text).toContain('Amount: €29.00');
    expect(mail.text).toContain('Time: 11/25/2026, 08:05 AM (America/New_York)');
    expect(mail.text).toContain(billingLink());
    expect(mail.html).toContain('<html lang="en">');
    expect(mail.html).toContain('Update payment method');
  });

  it('a repeated event for the same invoice sends nothing more; two invoices send two emails', async () => {
    const u = await newUser({ settings: { locale: 'en' } });
    const first = failure(u);
    await notified(u, first);
    // The event again (Stripe redelivers): the webhook's write finds the row and writes nothing.
    expect(await record(u, { ...first, eventId: 'evt_redelivered' })).toBe(false);
    await stack.streams.idle();
    expect(await mailsFor(first.invoiceId)).toHaveLength(1);
    expect((await rowOf(u, first.invoiceId))!.eventId).toBe(first.eventId);

    const second = failure(u, { amountDue: 7900, failedAt: '2026-12-25T13:05:00.000Z' });
    const mail = await notified(u, second);
    expect(mail.text).toContain('Plan: Business');
    const toUser = (await stack.mails()).filter((m) => m.to.includes(u.email!));
    expect(toUser.map((m) => m.variables.invoiceId).sort()).toEqual([first.invoiceId, second.invoiceId].sort());
  });

  it('a re-run of the use case or a redelivered record for a sent row sends nothing; an unmarked row is sent once', async () => {
    const u = await newUser({ settings: { locale: 'de' } });
    const row = failure(u);
    const first = await notified(u, row);
    const deps = useCaseDeps();
    const ids = { userId: u.sub, invoiceId: row.invoiceId };
    expect([await notifyPaymentFailed(deps, ids), await notifyPaymentFailed(deps, ids)]).toEqual(['already-sent', 'already-sent']);

    // The row's INSERT handed to the worker again, as a Lambda retry would.
    const { handler } = (await import('../../functions/streams/notify-payment-failed')) as {
      handler: (e: DynamoDBStreamEvent, c: unknown) => Promise<{ batchItemFailures: unknown[] }>;
    };
    const inserted = { pk: `USER#${u.sub}`, sk: `PAYMENT_FAILED#${row.invoiceId}`, entity: 'paymentFailure', ...row };
    const redelivered: DynamoDBRecord = {
      eventID: `redelivered-${row.invoiceId}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        Keys: marshall({ pk: inserted.pk, sk: inserted.sk }) as never,
        NewImage: marshall(inserted, { removeUndefinedValues: true }) as never,
        SequenceNumber: '900000000000000000004',
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    for (let i = 0; i < 2; i++) {
      const context = lambdaContext('notifyPaymentFailed', 30_000);
      const out = await invoke(context, () => handler({ Records: [redelivered] }, context));
      expect(out.batchItemFailures).toEqual([]);
    }
    expect(await mailsFor(row.invoiceId)).toEqual([first]);

    // As if the mark had not been written after Mailgun took the email (the one window that remains;
    // this MODIFY reaches no worker): the use case, run twice, sends it once more, and marks it.
    await stack.table.doc.send(
      new UpdateCommand({ TableName: stack.table.tableName, Key: { pk: inserted.pk, sk: inserted.sk }, UpdateExpression: 'REMOVE mailId, sentAt' }),
    );
    await stack.streams.idle();
    expect([await notifyPaymentFailed(deps, ids), await notifyPaymentFailed(deps, ids)]).toEqual(['sent', 'already-sent']);
    const mails = await mailsFor(row.invoiceId);
    expect(mails).toHaveLength(2);
    expect((await rowOf(u, row.invoiceId))!.mailId).toBe(mails[1]!.id);
  });

  it('a user without an email address gets nothing, and nothing fails', async () => {
    const u = await newUser({ settings: { locale: 'en' }, email: false });
    const row = failure(u);
    expect(await notifyPaymentFailed(useCaseDeps(), { userId: u.sub, invoiceId: row.invoiceId })).toBe('gone');
    const mailsBefore = (await stack.mails()).length;
    expect(await record(u, row)).toBe(true);
    await stack.streams.idle();
    expect(await notifyPaymentFailed(useCaseDeps(), { userId: u.sub, invoiceId: row.invoiceId })).toBe('skipped-no-email');
    expect((await stack.mails()).length).toBe(mailsBefore);
    expect(await rowOf(u, row.invoiceId)).not.toHaveProperty('mailId');
    // The stream kept nothing back: no record of this row is parked.
    expect(stack.streams.parked().filter((p) => p.keys.sk === `PAYMENT_FAILED#${row.invoiceId}`)).toEqual([]);
  });

  it('with Mailgun failing on the first try, the stream retries and exactly one email arrives', async () => {
    const u = await newUser({ settings: { locale: 'en' } });
    await stack.streams.idle();
    await stack.fault('mailgun', { mode: 'error', count: 1 });
    const row = failure(u);
    const mail = await notified(u, row);
    expect(mail.subject).toBe('Payment failed: your Fonella subscription');
    // The fault was spent on this email's first attempt.
    const pending = (await (await fetch(`${stack.emulators.mailgun}/_faults`)).json()) as { pending: unknown[] };
    expect(pending.pending).toEqual([]);
    expect(stack.streams.parked().filter((p) => p.keys.sk === `PAYMENT_FAILED#${row.invoiceId}`)).toEqual([]);
  });
});
