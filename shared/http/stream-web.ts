// What every bundle takes for `node:stream/web` (lib/bundling.ts BUNDLE.alias). @middy/core imports
// ReadableStream from it at its top, for handlers that stream their response, which none of ours does;
// and an ESM import of a builtin builds the builtin's module facade, which reads every export, so
// node:stream/web loaded five more of Node's web-stream modules at every cold start (~3 ms of CPU where
// Lambda starts Node, which compiles them from source: `npm run bench`). The global is the same class,
// and Node's HTTP stack has loaded it already. A package that imports another of its exports by name
// fails the build (test/infra/bundles.test.ts also fails on any bundle that still imports the builtin).
export const ReadableStream = globalThis.ReadableStream;
