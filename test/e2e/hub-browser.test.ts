// The hub as a person sees it, in headless Chromium (Debian's, driven by playwright-core; installed by
// test/support/chromium.ts where missing, else these tests are skipped saying why): the emails list
// and the selected email rendered (HTML in a sandbox that runs no script, text beside it), the live
// refresh that keeps the selection, calls and resources per provider, a Stripe test clock's "Advance
// one month" button, the request timeline (a request, the worker run it led to, its emails, linked
// both ways, and the filter), and the API reference at /docs with every path of the route manifest
// and a "try it" that reaches the local API.
import { rmSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../lib/routes';
import { CHROMIUM_ARGS, ensureChromium, freshProfile } from '../support/chromium';
import { startTestStack, waitFor, type TestStack } from '../support/stack';

const browser = ensureChromium();
const title = browser.ok ? 'the hub in a browser' : `the hub in a browser (skipped: ${browser.reason})`;

describe.skipIf(!browser.ok)(title, () => {
  let stack: TestStack;
  let context: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    stack = await startTestStack();
    profile = freshProfile();
    context = await chromium.launchPersistentContext(profile, {
      executablePath: browser.ok ? browser.path : undefined,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 1000 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await stack?.stop();
  });

  /** Sends an email straight to the Mailgun emulator, as the adapter would. */
  async function sendMail(fields: Record<string, string | string[]>): Promise<string> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) form.append(k, item);
    const res = await fetch(`${stack.emulators.mailgun}/v3/mg.fonella.local/messages`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`api:${stack.credentials.mailgun!.apiKey}`).toString('base64')}` },
      body: form,
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { id: string }).id;
  }

  it('lists a contact email and shows it selected, its text escaped; live refresh keeps the selection', { timeout: 60_000 }, async () => {
    const sent = await stack.call('POST', '/v1/public/contact', {
      body: { name: 'Browser Tester', email: 'browser@example.com', message: 'Seen in a <b>browser</b>' },
    });
    expect(sent.status).toBe(202);
    await waitFor('the contact email', async () => (await stack.mails()).some((m) => m.subject === 'Contact form: Browser Tester'));

    await page.goto(stack.hubUrl);
    // A mark on this document: a full-page reload (a meta refresh, say) would drop it.
    await page.evaluate(() => ((globalThis as { hubMark?: number }).hubMark = 1));
    const item = page.locator('#mailList a[data-mail]', { hasText: 'Contact form: Browser Tester' });
    await expect.poll(() => item.count()).toBe(1);
    await expect.poll(() => item.getAttribute('aria-current')).toBe('true');
    expect(await item.innerText()).toContain('sales@fonella.local');
    expect(await item.innerText()).toContain('contact');
    await expect.poll(() => page.locator('#mailView h3').innerText()).toBe('Contact form: Browser Tester');
    // The message is shown as text: the tags in it are characters, not markup.
    expect(await page.locator('#mailView pre.text').innerText()).toContain('Seen in a <b>browser</b>');
    expect(await page.locator('#mailView pre.text b').count()).toBe(0);
    await page.locator('#mailView details[data-k="mail-headers"] summary').click();
    expect(await page.locator('#mailView details[data-k="mail-headers"]').innerText()).toContain('browser@example.com');

    // A new email arrives: the list shows it on top after the next poll, the selection stays put.
    await sendMail({
      from: 'Fonella <no-reply@mg.fonella.local>',
      to: 'owner@example.com',
      subject: 'Call summary: browser test',
      text: 'The caller asked for an appointment.',
      html: '<h1>Call summary</h1><p>The caller asked for an <b>appointment</b>.</p><script>document.body.textContent = "SCRIPT RAN"</script>',
      'o:tag': ['call-summary', 'customer'],
    });
    const first = page.locator('#mailList a[data-mail]').first();
    await expect.poll(() => first.innerText(), { timeout: 8000 }).toContain('Call summary: browser test');
    expect(await page.locator('#mailView h3').innerText()).toBe('Contact form: Browser Tester');
    expect(await page.locator('#mailView details[data-k="mail-headers"]').evaluate((d) => (d as { open: boolean }).open)).toBe(true);
    // No full-page reload happened: the page the test opened is still the same document.
    expect(await page.evaluate(() => (globalThis as { hubMark?: number }).hubMark)).toBe(1);
  });

  it('renders an HTML email in a sandboxed iframe that runs no script, its text beside it', { timeout: 60_000 }, async () => {
    await page.locator('#mailList a[data-mail]', { hasText: 'Call summary: browser test' }).click();
    await expect.poll(() => page.locator('#mailView h3').innerText()).toBe('Call summary: browser test');
    expect(page.url()).toContain('?mail=');
    const iframe = page.locator('#mailView iframe');
    expect(await iframe.getAttribute('sandbox')).toBe('');
    const body = page.frameLocator('#mailView iframe').locator('body');
    await expect.poll(() => body.innerText()).toContain('Call summary');
    expect(await body.innerText()).not.toContain('SCRIPT RAN');
    expect(await page.locator('#mailView pre.text').innerText()).toContain('The caller asked for an appointment.');
    // The selection survives a reload too (it is in the address).
    await page.reload();
    expect(await page.locator('#mailView h3').innerText()).toBe('Call summary: browser test');
  });

  it('shows a placed call and the provisioned resources per provider, raw JSON on demand, without a reload', { timeout: 60_000 }, async () => {
    await page.goto(stack.hubUrl);
    const vapi = (path: string, body: object) =>
      fetch(`${stack.emulators.vapi}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.credentials.vapi!.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const assistant = (await (await vapi('/assistant', { name: 'Browser assistant' })).json()) as { id: string };
    const line = (await (await vapi('/phone-number', { provider: 'vapi', assistantId: assistant.id })).json()) as { id: string };
    const call = (await (await vapi('/call', { assistantId: assistant.id, phoneNumberId: line.id, customer: { number: '+4930987654321' } })).json()) as { id: string };

    const calls = page.locator('#calls');
    await expect.poll(() => calls.innerText(), { timeout: 8000 }).toContain('+4930987654321');
    expect(await calls.locator('h2').innerText()).toBe('Calls placed (1)');
    expect(await calls.locator('h3').first().innerText()).toContain('vapi');
    const row = calls.locator('tr', { hasText: call.id });
    expect(await row.innerText()).toContain('queued');
    await row.locator('summary').click();
    expect(await row.locator('pre.json').innerText()).toContain('"outboundPhoneCall"');

    const resources = page.locator('#resources');
    await expect.poll(() => resources.innerText(), { timeout: 8000 }).toContain('Browser assistant');
    expect(await resources.innerText()).toContain('Fonella trunk');
    for (const provider of ['auth0', 'vapi', 'sipgate', 'fonial']) {
      expect(await resources.locator('.provider h3', { hasText: provider }).count(), provider).toBe(1);
    }
    expect(await page.locator('#parked h2').innerText()).toMatch(/^Parked stream records \(\d+\)$/);
  });

  it("advances a Stripe test clock a month from its row: the subscription renews, the row shows the clock's new time, no reload", { timeout: 60_000 }, async () => {
    const url = new URL(stack.emulators.stripe!);
    const stripe = new Stripe(stack.credentials.stripe!.secretKey!, { host: url.hostname, port: Number(url.port), protocol: 'http' });
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: Date.UTC(2027, 0, 1) / 1000, name: 'Browser clock' });
    const customer = await stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: 'price_starter' }], payment_behavior: 'default_incomplete' });
    await stripe.invoices.pay(sub.latest_invoice as string, { paid_out_of_band: true });

    await page.goto(stack.hubUrl);
    await page.evaluate(() => ((globalThis as { hubMark?: number }).hubMark = 2));
    const row = page.locator('#resources tr', { hasText: 'Browser clock' });
    expect(await row.innerText()).toContain('2027-01-01 00:00:00Z');
    await row.getByRole('button', { name: 'Advance one month' }).click();
    await expect.poll(() => row.innerText(), { timeout: 8000 }).toContain('2027-02-01 00:00:00Z');
    expect((await stripe.subscriptions.retrieve(sub.id)).items.data[0]!.current_period_end).toBe(Date.UTC(2027, 2, 1) / 1000);
    // The button posted JSON and the page re-rendered in place: no form submit, no reload.
    expect(await page.evaluate(() => (globalThis as { hubMark?: number }).hubMark)).toBe(2);
  });

  it("the request timeline shows a support ticket's request, the worker run it led to and its two emails, linked both ways; the filter narrows the list", { timeout: 60_000 }, async () => {
    const refused = await stack.call('POST', '/v1/public/contact', { body: { name: 'No email' } });
    expect(refused.status).toBe(400);
    const ticket = await stack.call('POST', '/v1/public/support-tickets', {
      headers: { 'accept-language': 'en' },
      body: { email: 'timeline@example.com', title: 'Timeline check', content: 'Seen <b>end to end</b>.', ticketPriority: 'major' },
    });
    expect(ticket.status).toBe(201);
    const number = ticket.body.ticketNumber as string;
    await waitFor('both ticket emails', async () => (await stack.mails()).filter((m) => m.subject?.includes(number)).length === 2);
    await stack.streams.idle();

    await page.goto(`${stack.hubUrl}/#requests`);
    const entry = page.locator('details.req', { has: page.locator('> summary', { hasText: '/v1/public/support-tickets' }) }).first();
    const summary = entry.locator('> summary');
    await expect.poll(() => summary.innerText()).toMatch(/POST\s+\/v1\/public\/support-tickets\s+201/);
    expect(await summary.innerText()).toContain('1 worker run');
    await summary.click();
    // The request: its route and its writes; then the run between it and the emails.
    const body = await entry.innerText();
    expect(body).toContain('route submitSupportTicket');
    expect(body).toContain(`PutItem TICKET#${number} / TICKET`);
    const run = entry.locator('.run');
    expect(await run.count()).toBe(1);
    expect(await run.locator('> p').innerText()).toMatch(new RegExp(`record INSERT TICKET#${number} / TICKET → stream worker deliverTicketEmails done`));
    const emails = run.locator('a.to-mail');
    expect(await emails.count()).toBe(2);
    const subjects = (await emails.allInnerTexts()).sort();
    expect(subjects).toEqual([`Your support ticket ${number}`, `[major] Support ticket ${number}: Timeline check`].sort());
    // Its text is escaped, as everywhere on the page.
    expect(await entry.locator('b', { hasText: 'end to end' }).count()).toBe(0);

    // From the timeline to the email, and back.
    await emails.filter({ hasText: `Your support ticket ${number}` }).click();
    await expect.poll(() => page.locator('#mailView h3').innerText()).toBe(`Your support ticket ${number}`);
    const back = page.locator('#mailView .made-by a.trace-link');
    expect(await page.locator('#mailView .made-by').innerText()).toContain('deliverTicketEmails');
    expect(await back.innerText()).toBe('POST /v1/public/support-tickets');
    await summary.click(); // closed again
    expect(await entry.evaluate((d) => (d as { open: boolean }).open)).toBe(false);
    await back.click();
    await expect.poll(() => entry.evaluate((d) => (d as { open: boolean }).open)).toBe(true);
    expect(page.url()).toContain(`#req-${await entry.getAttribute('id').then((id) => id!.slice(4))}`);

    // The filter: by path, by status, by caller; the live refresh keeps it.
    const requests = page.locator('#timeline details.req');
    await page.locator('#timeline-filter input[name=path]').fill('support-tickets');
    await expect.poll(() => requests.count()).toBe(1);
    await page.locator('#timeline-filter input[name=path]').fill('');
    await page.locator('#timeline-filter input[name=status]').fill('4xx');
    await expect.poll(async () => (await requests.allInnerTexts()).every((t) => /\s4\d\d\s/.test(t))).toBe(true);
    expect(await page.locator('#timeline').innerText()).toContain('/v1/public/contact');
    expect(await page.locator('#timeline').innerText()).not.toContain('/v1/public/support-tickets');
    await page.locator('#timeline-filter input[name=status]').fill('');
    await page.locator('#timeline-filter input[name=user]').fill('no such caller');
    await expect.poll(() => page.locator('#timeline').innerText()).toContain('matches the filter');
    // A poll of /_inspect comes and goes (the live mark's time changes): the filter still holds.
    const live = await page.locator('#live').innerText();
    await expect.poll(() => page.locator('#live').innerText(), { timeout: 8000 }).not.toBe(live);
    expect(await requests.count()).toBe(0);
  });

  it('serves the API reference with every path of the route manifest, the demo tokens, and a "try it" that reaches the local API', { timeout: 60_000 }, async () => {
    await page.goto(stack.hubUrl);
    await page.getByRole('link', { name: /API reference/ }).click();
    await page.waitForURL(`${stack.hubUrl}/docs`);
    const paths = [...new Set(Object.values(routes).map((r) => r.path))];
    const missing = async () => {
      const text = await page.locator('body').innerText();
      return paths.filter((p) => !text.includes(p));
    };
    await expect.poll(missing, { timeout: 15_000 }).toEqual([]);
    for (const [role, token] of Object.entries(stack.tokens)) {
      expect(await page.locator(`#token-${role}`).inputValue(), role).toBe(token);
    }
    expect(await page.locator('body').innerText()).toContain(stack.apiUrl);

    // Try it: GET /v1/me with the customer's token, already set, through the hub to the local API.
    await page.goto(`${stack.hubUrl}/docs#tag/me/GET/v1/me`);
    await page.locator('[id$="tag/me/GET/v1/me"]').getByRole('button', { name: /Test Request/i }).click();
    await page.getByRole('button', { name: /^Send/i }).first().click();
    await expect.poll(() => page.locator('body').innerText(), { timeout: 10_000 }).toContain('200 OK');
    expect(await page.locator('body').innerText()).toContain('auth0|demo-customer');
  });

  it("shows the API key scheme with the demo customer's key in its token field, where another key can be pasted; \"try it\" sends the key", { timeout: 60_000 }, async () => {
    await page.goto(`${stack.hubUrl}/docs`);
    expect(await page.locator('#token-api-key').inputValue()).toBe(stack.apiKeys.customer);
    await page.goto(`${stack.hubUrl}/docs#tag/me/GET/v1/me/calls`);
    await page.locator('[id$="tag/me/GET/v1/me/calls"]').getByRole('button', { name: /Test Request/i }).click();
    const client = page.getByRole('dialog', { name: 'API Client' });
    // The operation takes either scheme: the key's instead of the portal token's.
    await client.getByRole('button', { name: /Selected Auth Type/ }).click();
    await page.getByRole('option', { name: /^apiKey/ }).click();
    await page.getByRole('option', { name: /^auth0/ }).click();
    await page.keyboard.press('Escape');
    await client.getByRole('button', { name: 'Selected Auth Type: apiKey' }).waitFor();
    const field = client.getByRole('textbox', { name: 'Bearer Token' });
    expect(await field.inputValue()).toBe(stack.apiKeys.customer);
    await client.getByRole('button', { name: /^Send/i }).first().click();
    await expect.poll(() => client.innerText(), { timeout: 10_000 }).toContain('200 OK');
    // Only a key's answers carry its rate limit's fields.
    await client.getByRole('button', { name: /Response Headers/ }).click();
    await expect.poll(() => client.innerText(), { timeout: 10_000 }).toMatch(/"per-key";q=\d+;w=60/);

    // Another key, pasted into the field: one without `calls:read` is refused there.
    const other = await stack.call('POST', '/v1/me/api-keys', { token: stack.tokens.customer, body: { name: 'Pasted', scopes: ['webhooks:manage'] } });
    expect(other.status).toBe(201);
    await field.fill(other.body.token);
    await client.getByRole('button', { name: /^Send/i }).first().click();
    await expect.poll(() => client.innerText(), { timeout: 10_000 }).toContain('403');
    expect(await client.innerText()).toContain('insufficient-scope');
    expect((await stack.call('DELETE', `/v1/me/api-keys/${other.body.keyId}`, { token: stack.tokens.customer })).status).toBe(204);
  });
});
