// `npx tsx scripts/bundle-report.ts <function-name>`: what a route's bundle is made of, by package
// (the packages it loads on demand left out, as they are of what ships).
import { build } from 'esbuild';
import { deferredPackages, esbuildOptions } from '../lib/bundling';
import { routes } from '../lib/routes';
import type { RouteDef } from '../shared/http/route-def';

const name = process.argv[2] ?? 'getHealth';
const route = (routes as Record<string, RouteDef>)[name];
if (!route) throw new Error(`no route ${name}`);
const r = await build({ ...esbuildOptions(route.handler, '/tmp/bundle-report.mjs', deferredPackages(route)), write: false });
const out = Object.entries(r.metafile!.outputs).find(([f]) => f.endsWith('.mjs'))![1];
const by: Record<string, number> = {};
for (const [file, v] of Object.entries(out.inputs)) {
  const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(file);
  const key = m ? m[1]! : file.split('/').slice(0, 2).join('/');
  by[key] = (by[key] ?? 0) + v.bytesInOutput;
}
for (const [k, v] of Object.entries(by).sort((a, b) => b[1] - a[1])) console.log(`${(v / 1024).toFixed(1).padStart(8)} KB  ${k}`);
console.log(`${(out.bytes / 1024).toFixed(1).padStart(8)} KB  total`);
