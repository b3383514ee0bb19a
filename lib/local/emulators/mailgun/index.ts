// Mailgun emulator: POST /v3/{domain}/messages (multipart, HTTP Basic api:<key>), as the real API
// answers it. Keeps every accepted message for /_inspect and the inspector page.
import { Router, basic, json, type EmulatorDefinition } from '../kit';

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

export function createMailgunEmulator(opts: { apiKey?: string } = {}): EmulatorDefinition & {
  messages: StoredMessage[];
} {
  const apiKey = opts.apiKey ?? 'key-local-mailgun';
  const messages: StoredMessage[] = [];
  let n = 0;

  const routes = new Router().post('/v3/:domain/messages', async ({ req, params }) => {
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
    if (!get('text') && !get('html')) return json({ message: 'Need at least one of \'text\' or \'html\' parameters specified' }, 400);

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
    env: (baseUrl) => ({ MAILGUN_URL: baseUrl, MAILGUN_API_KEY: apiKey }),
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
