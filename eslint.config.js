// Lint: the recommended rules of ESLint and typescript-eslint, plus the few this codebase relies on,
// and the layering of shared/ (README, Layout): a folder imports only from the folders below it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The order in which the code may import, top to bottom: functions/ → app → http | streams → domain →
 * db | providers | email | crypto | queues → schemas | config → model | net | errors | observability | zod.
 * Each shared/ folder's entry lists what it must not import: every folder above it and, on its own
 * level, its neighbours. `types` are neighbours it may import types from (a repository's sealed
 * bank details are crypto's type); only functions/ imports app/.
 */
const LAYERS = {
  app: { above: [] },
  http: { above: ['app', 'streams'] },
  streams: { above: ['app', 'http'] },
  domain: { above: ['app', 'http', 'streams'] },
  db: { above: ['app', 'http', 'streams', 'domain', 'providers', 'email', 'queues'], types: ['crypto'] },
  providers: { above: ['app', 'http', 'streams', 'domain', 'db', 'email', 'crypto', 'queues'] },
  email: { above: ['app', 'http', 'streams', 'domain', 'db', 'providers', 'crypto', 'queues'] },
  crypto: { above: ['app', 'http', 'streams', 'domain', 'db', 'providers', 'email', 'queues'] },
  queues: { above: ['app', 'http', 'streams', 'domain', 'db', 'providers', 'email', 'crypto'] },
  schemas: { above: ['app', 'http', 'streams', 'domain', 'db', 'providers', 'email', 'crypto', 'queues'] },
  config: { above: ['app', 'http', 'streams', 'domain', 'db', 'providers', 'email', 'crypto', 'queues', 'schemas'] },
  observability: { above: ['app', 'http', 'streams', 'domain', 'db', 'providers', 'email', 'crypto', 'queues', 'schemas', 'config'] },
};
const ORDER = 'functions/ → app → http | streams → domain → db | providers | email | crypto | queues → schemas | config → model | net | errors | observability | zod';
/** A relative import from `depth` folders below shared/ into one of `folders` (shared/<folder>/...). */
const into = (depth, folders) => `^(\\.\\./){${depth}}(${folders.join('|')})(/|$)`;
/** One config per depth (shared/<folder>/x.ts, shared/<folder>/a/x.ts, ...): the way up to shared/ is that long. */
const layerRule = (folder, forbidden, types = []) =>
  [1, 2, 3].map((depth) => ({
    files: [`shared/${folder}/${'*/'.repeat(depth - 1)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(forbidden.length ? [{ regex: into(depth, forbidden), message: `shared/${folder} must not import from a folder above it or beside it (${ORDER}).` }] : []),
            ...(types.length ? [{ regex: into(depth, types), allowTypeImports: true, message: `shared/${folder} may import only types from ${types.join(', ')} (${ORDER}).` }] : []),
            { regex: `^(\\.\\./){${depth + 1}}(lib|functions|bin|scripts)(/|$)`, message: `shared/ must not import from lib/, functions/, bin/ or scripts/ (${ORDER}).` },
          ],
        },
      ],
    },
  }));

export default tseslint.config(
  { ignores: ['node_modules', 'cdk.out', '.local', 'dist'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // Scripts and the local runtime talk to a person on the terminal.
    files: ['bin/**', 'scripts/**', 'lib/local/**'],
    rules: { 'no-console': 'off' },
  },
  ...Object.entries(LAYERS).flatMap(([folder, { above, types }]) => layerRule(folder, above, types)),
  {
    // The ground floor of the vocabulary imports nothing else from shared/.
    files: ['shared/model/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./', message: `shared/model imports nothing else from shared/ (${ORDER}).` }] }] },
  },
  {
    // Addresses on the ground floor too (the public-address policy, an anonymous client's key): any
    // layer may use them, they import nothing else from shared/.
    files: ['shared/net/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./', message: `shared/net imports nothing else from shared/ (${ORDER}).` }] }] },
  },
  {
    files: ['shared/errors.ts', 'shared/zod.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\./(?!model/)', message: `shared/errors.ts and zod.ts import only shared/model (${ORDER}).` }] }] },
  },
);
