// The zod every function bundles: `zod/mini` with English messages. Measured (npm run bench): the
// full `zod` namespace is ~92 KB of a handler's bundle and ~10 ms of its cold start; mini is ~20 KB.
// Import it as a namespace (`import * as z from '../zod'`): a namespace that is re-exported as a
// value defeats tree-shaking and drags in every locale. Tools that never ship in a Lambda bundle
// (local runtime, emulators, CDK, tests) may use full zod.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
