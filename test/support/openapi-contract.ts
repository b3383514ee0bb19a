// Checks a response against openapi/fonella.yaml, the file clients get: the operation (method + path
// template) must document the status, the content type must be one it lists, and the body must
// validate against that schema (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses). The integration
// suites' `call()` runs every response through it, so the document cannot drift from what the API
// really answers.
import { readFileSync } from 'node:fs';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export interface ObservedResponse {
  method: string;
  /** As requested, query string included. */
  path: string;
  status: number;
  contentType: string | null;
  /** The raw body text, and the body parsed as JSON when it was JSON. */
  text: string;
  body: unknown;
}

interface MediaType {
  schema?: unknown;
}
interface ResponseDoc {
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId: string;
  responses: Record<string, ResponseDoc>;
}
interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

const FILE = new URL('../../openapi/fonella.yaml', import.meta.url);
const COMPONENTS_ID = 'https://fonella.local/openapi/components';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// What API Gateway answers itself for a request no operation covers (lib/local/api-server.ts imitates it).
const GATEWAY_ONLY: Record<number, string> = { 404: 'Not Found', 413: 'Request Entity Too Large' };

interface Contract {
  ajv: Ajv2020;
  operations: { template: string; method: string; pattern: RegExp; params: number; op: Operation }[];
  compiled: Map<string, ValidateFunction>;
}
let contract: Contract | undefined;

/** `#/components/schemas/X` → the components schema added to Ajv under its own $id. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
        ? `${COMPONENTS_ID}#/$defs/${v.slice('#/components/schemas/'.length)}`
        : rewriteRefs(v),
    ]),
  );
}

function load(): Contract {
  if (contract) return contract;
  const doc = parse(readFileSync(FILE, 'utf8')) as OpenApiDoc;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  // OpenAPI's own annotation keywords, should a schema carry them.
  ajv.addVocabulary(['example', 'xml', 'externalDocs']);
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: rewriteRefs(doc.components?.schemas ?? {}) });
  const operations = Object.entries(doc.paths).flatMap(([template, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({
        template,
        method: method.toUpperCase(),
        // API Gateway's matching: one segment per parameter, an optional trailing slash.
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}/?$`),
        params: (template.match(/\{/g) ?? []).length,
        op,
      })),
  );
  // A literal path wins over a parameter, as in API Gateway.
  operations.sort((a, b) => a.params - b.params);
  contract = { ajv, operations, compiled: new Map() };
  return contract;
}

const formatErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `  ${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');

const short = (text: string) => (text.length > 500 ? `${text.slice(0, 500)}…` : text);

/** Throws when `res` is not what openapi/fonella.yaml says the request can get. */
export function assertMatchesContract(res: ObservedResponse): void {
  const { ajv, operations, compiled } = load();
  const method = res.method.toUpperCase();
  // The path the server got: fetch resolves dot segments (`/v1/hotlines/..` is `/v1/`) before sending.
  const path = new URL(res.path.split('?')[0] ?? '', 'http://contract.local').pathname;
  const mediaType = (res.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const where = `${method} ${res.path} → ${res.status}`;
  const fail = (why: string): never => {
    throw new Error(`OpenAPI contract: ${where}: ${why}\n  content-type: ${res.contentType ?? '(none)'}\n  body: ${short(res.text)}`);
  };

  // CORS preflights are answered by the gateway itself: 204, no body.
  if (method === 'OPTIONS') {
    if (res.status !== 204 || res.text !== '') fail('a preflight answers 204 with no body');
    return;
  }

  const match = operations.find((o) => o.method === method && o.pattern.test(path));
  if (!match) {
    const message = GATEWAY_ONLY[res.status];
    if (!message) fail('no operation has this method and path, so only API Gateway\'s 404 (or 413) can answer');
    if (mediaType !== 'application/json' || JSON.stringify(res.body) !== JSON.stringify({ message })) {
      fail(`expected API Gateway's own body {"message":"${message}"} as application/json`);
    }
    return;
  }

  const { op, template } = match;
  const name = `${op.operationId} (${method} ${template})`;
  const status = String(res.status);
  const key = [status, `${status[0]}XX`, 'default'].find((k) => k in op.responses);
  if (!key) fail(`${name} documents no ${status} response (it documents ${Object.keys(op.responses).join(', ')})`);
  const documented = op.responses[key!]!;

  if (!documented.content || Object.keys(documented.content).length === 0) {
    if (res.text !== '') fail(`${name} documents ${key} without a body`);
    return;
  }
  const media = documented.content[mediaType] ?? documented.content['*/*'];
  if (!media) fail(`${name} documents ${key} as ${Object.keys(documented.content).join(' or ')}, not "${mediaType}"`);
  if (!media!.schema) return;

  const cacheKey = `${op.operationId} ${key} ${mediaType}`;
  let validate = compiled.get(cacheKey);
  if (!validate) {
    validate = ajv.compile(rewriteRefs(media!.schema) as object);
    compiled.set(cacheKey, validate);
  }
  if (!validate(res.body)) fail(`the body does not match ${name}'s ${key} ${mediaType} schema:\n${formatErrors(validate.errors)}`);
}
