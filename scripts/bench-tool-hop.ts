// The hop a custom tool's call takes through Fonella (`npm run bench -- --tool-hop`): while a caller
// waits in silence, Vapi posts `tool-calls` to our webhook, the webhook calls the customer's URL and
// answers Vapi with the result. What our hop adds is the time from Vapi's request in to the customer's
// request out ("in"), plus from the customer's answer to our answer back at Vapi ("out"); the
// customer's own time is not ours. Measured on its own local stack against a receiver on this machine
// that answers at once (test/support/tool-receiver.ts), one tool call at a time:
// - warm: BENCH_TOOL_HOP_REQUESTS (200) calls through the local API server, after a few that warm the
//   handler (its module loaded, the tool's secret opened, connections open);
// - cold: BENCH_TOOL_HOP_COLD (10) fresh Node processes, each loading the function's bundle (built as
//   CDK builds it) and handling one call, as a new Lambda instance does: its init (loading the
//   bundle, reading the stage secret through the extension's emulator) and that first call's hop
//   (first table and key service requests, the tool's secret opened with KMS), then 20 warm calls in
//   the same process without the local API server in front.
// Times are taken in epoch milliseconds at sub-millisecond precision in every process
// (`performance.timeOrigin + performance.now()`), the receiver's in this one. Prints p50 and p95 and
// writes .local/bench-tool-hop.json. It measures; it asserts nothing.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { FUNCTION_MEMORY_MB } from '../lib/bundling';
import { quantile } from '../lib/bench-stats';
import { startStack } from '../lib/local/stack';
import { epochNow, startToolReceiver } from '../test/support/tool-receiver';
import { allFunctions, bundleAll } from './bench-loads';

const ROOT = new URL('..', import.meta.url).pathname;
const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const run = promisify(execFile);

interface Hop {
  inMs: number;
  outMs: number;
  hopMs: number;
}

const stats = (xs: number[]) => ({ p50: round(quantile(xs, 0.5)), p95: round(quantile(xs, 0.95)), n: xs.length });
const round = (n: number) => Math.round(n * 10) / 10;
const summary = (hops: Hop[]) => ({ hop: stats(hops.map((h) => h.hopMs)), in: stats(hops.map((h) => h.inMs)), out: stats(hops.map((h) => h.outMs)) });

/** The body of a `tool-calls` message, as Vapi posts it, for one call of `name`. */
const message = (assistantId: string, name: string, i: number) =>
  JSON.stringify({
    message: {
      type: 'tool-calls',
      call: { id: `bench-call-${i}`, assistantId, customer: { number: '+4917012345678' } },
      toolCallList: [{ id: `bench-tc-${i}-${Date.now()}`, type: 'function', function: { name, arguments: '{"date":"2027-01-15"}' } }],
    },
  });

export async function runToolHopBench(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const requests = num('BENCH_TOOL_HOP_REQUESTS', 200);
  const colds = num('BENCH_TOOL_HOP_COLD', 10);
  console.log('\nThe tool hop: starting a local stack...');
  const stack = await startStack({ apiPort: 0, emulatorBasePort: 0, tableName: 'bench-tool-hop' });
  const receiver = await startToolReceiver();
  try {
    // The receiver's times of the request being handled, read after each answer.
    let timing: { arrived: number; answered: number } | undefined;
    receiver.onTiming = (arrived, answered) => (timing = { arrived, answered });

    const sub = 'auth0|bench-tool-hop';
    const token = await stack.mintToken({ sub, email: 'hop@example.com' });
    const call = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${stack.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, string>;
    };
    const { assistantId } = await call('PUT', '/v1/me/assistant', { greeting: 'Guten Tag', language: 'de' });
    await call('POST', '/v1/me/tools', { name: 'hop', description: 'Answers at once.', url: `${receiver.url}/ok/hop`, timeoutSeconds: 5 });
    const secret = stack.credentials.vapi!.webhookSecret!;

    // Warm, through the local API server.
    const once = async (i: number): Promise<Hop> => {
      timing = undefined;
      const sent = epochNow();
      const res = await fetch(`${stack.apiUrl}/v1/webhooks/vapi`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-vapi-secret': secret }, body: message(assistantId!, 'hop', i) });
      const text = await res.text();
      const back = epochNow();
      if (!res.ok || !text.includes('"result"') || !timing) throw new Error(`the tool call failed: ${res.status} ${text}`);
      const t = timing as { arrived: number; answered: number };
      return { inMs: t.arrived - sent, outMs: back - t.answered, hopMs: t.arrived - sent + (back - t.answered) };
    };
    for (let i = 0; i < 5; i++) await once(i);
    const warm: Hop[] = [];
    for (let i = 0; i < requests; i++) warm.push(await once(1000 + i));
    console.log(`warm, through the local API server: ${requests} calls`);

    // Cold: the function's bundle in fresh processes.
    const fn = allFunctions().filter((f) => f.name === 'receiveVapiMessage');
    const bundles = await bundleAll(fn, join(ROOT, '.local', 'bench-tool-hop'));
    const file = bundles.file.get('receiveVapiMessage')!;
    const env: NodeJS.ProcessEnv = { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' };
    delete env.NODE_OPTIONS;
    delete env.NODE_COMPILE_CACHE;
    // One request at a time, as a Lambda instance: not the local runtime's many in one process.
    delete env.AWS_LAMBDA_MAX_CONCURRENCY;
    const cold: Hop[] = [];
    const coldInit: number[] = [];
    const bundleWarm: Hop[] = [];
    for (let c = 0; c < colds; c++) {
      const bodies = Array.from({ length: 21 }, (_, i) => message(assistantId!, 'hop', 10_000 * (c + 1) + i));
      const pending = run(process.execPath, ['--input-type=module', '-e', childScript(file, secret, bodies)], { env, encoding: 'utf8', maxBuffer: 1 << 20 }).catch((err: { stderr?: string }) => {
        throw new Error(`a cold process failed: ${String(err.stderr ?? err).slice(-1500)}`);
      });
      // The receiver's timings arrive in order, one per call.
      const timings: { arrived: number; answered: number }[] = [];
      receiver.onTiming = (arrived, answered) => timings.push({ arrived, answered });
      const { stdout } = await pending;
      const out = JSON.parse(stdout) as { initMs: number; calls: { sent: number; back: number; ok: boolean }[] };
      if (out.calls.some((x) => !x.ok) || timings.length !== out.calls.length) throw new Error(`a cold process's call failed: ${stdout.slice(0, 500)}`);
      coldInit.push(out.initMs);
      out.calls.forEach((x, i) => {
        const t = timings[i]!;
        const hop = { inMs: t.arrived - x.sent, outMs: x.back - t.answered, hopMs: t.arrived - x.sent + (x.back - t.answered) };
        (i === 0 ? cold : bundleWarm).push(hop);
      });
    }
    console.log(`cold: ${colds} fresh processes, each one cold call and 20 warm ones`);

    const result = {
      at: new Date().toISOString(),
      warmThroughLocalApi: summary(warm),
      warmBundleInProcess: summary(bundleWarm),
      coldInitMs: stats(coldInit),
      coldFirstCall: summary(cold),
      coldTotalMs: stats(cold.map((h, i) => h.hopMs + coldInit[i]!)),
    };
    const line = (label: string, s: { p50: number; p95: number; n: number }) => console.log(`  ${label.padEnd(46)} p50 ${String(s.p50).padStart(6)} ms   p95 ${String(s.p95).padStart(6)} ms   (n ${s.n})`);
    console.log('\nThe hop our webhook adds (in: Vapi → the tool\'s request out; out: the tool\'s answer → our answer back)');
    line('warm, local API server: hop', result.warmThroughLocalApi.hop);
    line('  in', result.warmThroughLocalApi.in);
    line('  out', result.warmThroughLocalApi.out);
    line('warm, the bundle invoked in its process: hop', result.warmBundleInProcess.hop);
    line('cold: init (load the bundle, read the secret)', result.coldInitMs);
    line('cold: the first call\'s hop', result.coldFirstCall.hop);
    line('  in', result.coldFirstCall.in);
    line('  out', result.coldFirstCall.out);
    line('cold: init + first hop', result.coldTotalMs);
    mkdirSync(join(ROOT, '.local'), { recursive: true });
    writeFileSync(join(ROOT, '.local', 'bench-tool-hop.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await receiver.close();
    await stack.stop();
  }
}

/**
 * A fresh process as a new Lambda instance: it loads the bundle (its init), then handles each body in
 * turn as API Gateway would hand it in; prints the init's ms and each call's send and answer times.
 */
function childScript(file: string, secret: string, bodies: string[]): string {
  return `
const now = () => performance.timeOrigin + performance.now();
const t = performance.now();
const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
const initMs = performance.now() - t;
const bodies = ${JSON.stringify(bodies)};
const calls = [];
for (const [i, body] of bodies.entries()) {
  const event = {
    version: '2.0', routeKey: 'POST /v1/webhooks/vapi', rawPath: '/v1/webhooks/vapi', rawQueryString: '',
    headers: { 'content-type': 'application/json', 'x-vapi-secret': ${JSON.stringify(secret)}, host: 'localhost' },
    requestContext: { accountId: 'local', apiId: 'local', domainName: 'localhost', domainPrefix: 'localhost', http: { method: 'POST', path: '/v1/webhooks/vapi', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' }, requestId: 'bench-' + i, routeKey: 'POST /v1/webhooks/vapi', stage: '$default', time: new Date().toUTCString(), timeEpoch: Date.now() },
    body, isBase64Encoded: false,
  };
  const context = { awsRequestId: 'bench-' + i, functionName: 'fonella-local-receiveVapiMessage', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:fonella-local-receiveVapiMessage', memoryLimitInMB: '${FUNCTION_MEMORY_MB}', logGroupName: 'local', logStreamName: 'local', getRemainingTimeInMillis: () => 30000, callbackWaitsForEmptyEventLoop: true };
  const sent = now();
  const res = await handler(event, context);
  const back = now();
  calls.push({ sent, back, ok: res.statusCode === 200 && res.body.includes('"result"') });
}
process.stdout.write(JSON.stringify({ initMs, calls }));
process.exit(0);
`;
}
