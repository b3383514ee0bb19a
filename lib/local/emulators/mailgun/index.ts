// Mailgun emulator: POST /v3/{domain}/messages (multipart, HTTP Basic api:<key>), as the real API
// answers it. Like a Mailgun account it has one sending domain (the local config's, unless `domain`
// is given) and answers 404 `{"message": "Domain not found: <domain>"}` for any other, which is
// also what Mailgun answers for a domain asked of the wrong region's API. Keeps every accepted
// message for /_inspect and the inspector page.
import { MAILGUN_LOCAL } from '../../../../shared/config/mail';
import { Router, basic, json, type EmulatorDefinition } from '../kit';

/** Mailgun's 400 for a message without a body (its current wording, which names amp-html and template). */
const MAILGUN_NO_BODY = "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified";

export interface StoredMessage {
  id: string;
  domain: string;
  from: string;
  to: string[];
  subject: string;
  text?: string;
  html?: string;
  replyTo?: string;
  tags: string[];
  variables: Record<string, string>;
  receivedAt: string;
}

export function createMailgunEmulator(opts: { apiKey?: string; domain?: string } = {}): EmulatorDefinition & {
  messages: StoredMessage[];
} {
  const apiKey = opts.apiKey ?? MAILGUN_LOCAL.apiKey;
  const domain = opts.domain ?? MAILGUN_LOCAL.domain;
  const messages: StoredMessage[] = [];
  let n = 0;

  const routes = new Router().post('/v3/:domain/messages', async ({ req, params }) => {
    if (params.domain!.toLowerCase() !== domain.toLowerCase()) return json({ message: `Domain not found: ${params.domain}` }, 404);
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      return json({ message: 'Invalid multipart body' }, 400);
    }
    const get = (k: string) => {
      const v = form.get(k);
      return typeof v === 'string' ? v : undefined;
    };
    const to = form.getAll('to').flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean);
    const from = get('from');
    const subject = get('subject');
    if (!from) return json({ message: "'from' parameter is missing" }, 400);
    if (to.length === 0) return json({ message: "'to' parameter is missing" }, 400);
    if (!subject) return json({ message: "'subject' parameter is missing" }, 400);
    // An empty or blank body counts as none.
    if (!['text', 'html', 'amp-html', 'template'].some((k) => get(k)?.trim())) return json({ message: MAILGUN_NO_BODY }, 400);

    const variables: Record<string, string> = {};
    for (const [k, v] of form.entries()) if (k.startsWith('v:')) variables[k.slice(2)] = String(v);
    const id = `<${Date.now()}.${++n}@${params.domain}>`;
    messages.push({
      id,
      domain: params.domain!,
      from,
      to,
      subject,
      text: get('text'),
      html: get('html'),
      replyTo: get('h:Reply-To'),
      tags: form.getAll('o:tag').map(String),
      variables,
      receivedAt: new Date().toISOString(),
    });
    return json({ id, message: 'Queued. Thank you.' });
  });

  return {
    name: 'mailgun',
    credentials: { apiKey },
    env: (baseUrl) => ({ MAILGUN_URL: baseUrl, MAILGUN_API_KEY: apiKey, MAILGUN_DOMAIN: domain }),
    routes,
    messages,
    authorize(req) {
      const cred = basic(req);
      if (!cred || cred.user !== 'api' || cred.password !== apiKey) {
        return new Response('Forbidden', { status: 401, headers: { 'content-type': 'text/plain' } });
      }
      return undefined;
    },
    inspect: () => ({ messages }),
    reset: () => {
      messages.length = 0;
    },
  };
}
