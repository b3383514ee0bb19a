// The API reference on the hub: GET /docs renders openapi/fonella.yaml (served at /openapi.yaml) with
// Scalar's API reference, its prebuilt standalone browser bundle read from node_modules (a dev
// dependency, no CDN). "Try it" targets the local API: the viewer lists it as the server and sends
// its requests through GET|POST|... /docs/proxy?scalar_url=<url> (Scalar's proxy protocol), which
// forwards them to that API only, so no CORS rule has to admit the hub's origin. The demo users'
// tokens are shown ready to paste, and the customer's is filled in as the bearer token; the API key
// scheme (`apiKey`, on the operations that take keys) has its own token field under Authentication,
// filled in with the demo customer's key, where any other key can be pasted.
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { esc } from './hub-view';

/** What the hub needs for "try it": the local API's URL, the demo users' tokens by role, and the demo customer's API key. */
export interface HubDocs {
  apiUrl: string;
  tokens: Record<string, string>;
  apiKey?: string;
}

export const SPEC_FILE = fileURLToPath(new URL('../../../openapi/fonella.yaml', import.meta.url));

/** Scalar's standalone browser bundle and its version, or undefined where the dev dependency is missing. */
export function viewerBundle(): { file: string; version: string } | undefined {
  try {
    const require = createRequire(import.meta.url);
    const file = require.resolve('@scalar/api-reference/browser/standalone.js');
    // Its package.json is not exported: it sits two folders up from dist/browser/.
    const pkg = JSON.parse(readFileSync(join(dirname(file), '..', '..', 'package.json'), 'utf8')) as { version: string };
    return existsSync(file) ? { file, version: pkg.version } : undefined;
  } catch {
    return undefined;
  }
}

/** JSON for an inline <script>: no "</script>" or "<!--" can close or bend it. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function docsPage(docs: HubDocs | undefined): string {
  const viewer = viewerBundle();
  const config = {
    url: '/openapi.yaml',
    ...(docs
      ? {
          servers: [{ url: docs.apiUrl, description: 'This local stack (npm start)' }],
          proxyUrl: '/docs/proxy',
          authentication: docs.tokens.customer
            ? {
                preferredSecurityScheme: 'auth0',
                securitySchemes: { auth0: { token: docs.tokens.customer }, ...(docs.apiKey ? { apiKey: { token: docs.apiKey } } : {}) },
              }
            : undefined,
        }
      : {}),
    // Nothing from the network: no web fonts, no telemetry, no AI agent.
    withDefaultFonts: false,
    telemetry: false,
    agent: { disabled: true },
    showDeveloperTools: 'never',
    documentDownloadType: 'yaml',
    metaData: { title: 'Fonella API reference (local)' },
  };
  const tokens = Object.entries(docs?.tokens ?? {});
  const tokenHtml = tokens.length
    ? `<div class="tokens"><span>Demo tokens, for <code>Authorization: Bearer &lt;token&gt;</code> (the customer's is already set under <i>Authentication</i>):</span>${tokens
        .map(
          ([role, token]) =>
            `<span class="token"><label for="token-${esc(role)}">${esc(role)}</label><input readonly spellcheck="false" id="token-${esc(role)}" value="${esc(token)}"><button type="button" data-copy="token-${esc(role)}">Copy</button></span>`,
        )
        .join('')}</div>`
    : '<div class="tokens">A token for any user while the stack runs: <code>npm run token -- --sub auth0|someone [--admin]</code></div>';
  const keyHtml = docs?.apiKey
    ? `<div class="tokens"><span>API keys (<code>fon_live_…</code>, on the operations that list the <i>apiKey</i> scheme): pick <i>apiKey</i> under <i>Authentication</i> and paste a key in its token field; the demo customer's is set there:</span><span class="token"><label for="token-api-key">customer key</label><input readonly spellcheck="false" id="token-api-key" value="${esc(docs.apiKey)}"><button type="button" data-copy="token-api-key">Copy</button></span></div>`
    : '';
  const target = docs
    ? `<div>"Try it" sends requests to the local API at <code>${esc(docs.apiUrl)}</code>, through the hub (which forwards them there and nowhere else).</div>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fonella API reference (local)</title><link rel="icon" href="data:,">
<style>.fonella-bar{font:13px/1.5 system-ui,sans-serif;padding:.5rem 1rem;background:#f4f5f7;border-bottom:1px solid #d8dadf;color:#222}
.fonella-bar a{color:#0b57d0}.fonella-bar code{font-size:12px}.fonella-bar .tokens{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;align-items:center;margin-top:.2rem}
.fonella-bar .token{display:inline-flex;gap:.35rem;align-items:center;white-space:nowrap}.fonella-bar label{font-weight:600}
.fonella-bar input{font:12px ui-monospace,monospace;width:13rem;padding:.1rem .3rem}
.fonella-bar button{font:12px system-ui,sans-serif;padding:.1rem .5rem;cursor:pointer}.fonella-missing{font:15px system-ui,sans-serif;margin:2rem}</style></head><body>
<header class="fonella-bar"><div><b>Fonella API reference</b> · <a href="/">← emulator hub</a> · <a href="/openapi.yaml">openapi.yaml</a>${viewer ? ` · <small>rendered by Scalar ${esc(viewer.version)}</small>` : ''}</div>${target}${tokenHtml}${keyHtml}</header>
${
  viewer
    ? `<div id="app"></div>
<script src="/docs/scalar.js"></script>
<script>Scalar.createApiReference('#app', ${scriptJson(config)});</script>`
    : '<p class="fonella-missing">The viewer (<code>@scalar/api-reference</code>, a dev dependency) is not installed: run <code>npm ci</code>. The document itself is at <a href="/openapi.yaml">/openapi.yaml</a>.</p>'
}
<script>document.addEventListener('click', async (e) => {
  const button = e.target.closest('button[data-copy]');
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  try { await navigator.clipboard.writeText(input.value); } catch { input.select(); document.execCommand('copy'); }
  button.textContent = 'Copied';
  setTimeout(() => (button.textContent = 'Copy'), 1500);
});</script>
</body></html>`;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length', 'te', 'trailer', 'proxy-authorization', 'proxy-connection']);
// Browser context that the local API should not see as its caller's: the request comes from the hub.
const BROWSER_ONLY = new Set(['origin', 'referer', 'cookie', 'accept-encoding']);

/** Forwards a "try it" request to the local API (and nowhere else), as Scalar's proxy would. */
export async function proxyToApi(req: IncomingMessage, res: ServerResponse, url: URL, apiUrl: string): Promise<void> {
  const fail = (status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message }));
  };
  let target: URL;
  try {
    target = new URL(url.searchParams.get('scalar_url') ?? '');
  } catch {
    return fail(400, 'scalar_url must be an absolute URL');
  }
  if (target.origin !== new URL(apiUrl).origin) return fail(403, `the docs proxy forwards to the local API only (${apiUrl})`);
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || BROWSER_ONLY.has(k) || k.startsWith('sec-')) continue;
    for (const item of Array.isArray(v) ? v : [v]) headers.append(k, item);
  }
  const method = (req.method ?? 'GET').toUpperCase();
  let answer: Response;
  try {
    answer = await fetch(target, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' || chunks.length === 0 ? undefined : Buffer.concat(chunks),
      redirect: 'manual',
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    return fail(502, `the local API did not answer: ${(err as Error).message}`);
  }
  const out: Record<string, string> = {};
  answer.headers.forEach((v, k) => {
    if (!HOP_BY_HOP.has(k) && k !== 'content-encoding') out[k] = v;
  });
  const body = Buffer.from(await answer.arrayBuffer());
  res.writeHead(answer.status, out);
  res.end(body);
}
