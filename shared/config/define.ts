// Configuration comes from environment variables, one zod schema per concern, parsed once at first use
// (a function's cold start). Defaults exist only for the local stack: on a deployed stage a missing
// variable stops the function at init with a message that names it. Without STAGE a process is the
// local stack, except on Lambda (AWS_LAMBDA_FUNCTION_NAME set): there a function refuses to start
// without a deployed stage rather than run on the local defaults, whose secrets are public (the
// shared route and worker stacks ask for the stage first thing at init).
import * as z from '../zod';

export const STAGES = ['local', 'test', 'dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** The stages a function deployed by CDK runs as. */
export const DEPLOYED_STAGES = ['dev', 'prod'] as const satisfies readonly Stage[];

export function currentStage(env: NodeJS.ProcessEnv = process.env): Stage {
  const onLambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
  if (onLambda && !env.STAGE) {
    throw new Error(
      `Invalid configuration: STAGE is not set. On Lambda (AWS_LAMBDA_FUNCTION_NAME is set) a function refuses to start without its stage (${DEPLOYED_STAGES.join(', ')}): it would run on the local defaults, whose secrets are public.`,
    );
  }
  const stage = env.STAGE ?? 'local';
  if (!(STAGES as readonly string[]).includes(stage)) {
    throw new Error(`Invalid configuration: STAGE must be one of ${STAGES.join(', ')}`);
  }
  if (onLambda && !(DEPLOYED_STAGES as readonly string[]).includes(stage)) {
    throw new Error(`Invalid configuration: STAGE=${stage} is the local stack's or the tests'; on Lambda a function runs as ${DEPLOYED_STAGES.join(' or ')} only.`);
  }
  return stage as Stage;
}

/** True where emulator defaults apply: the local stack and the test suite. */
export function usesLocalDefaults(env: NodeJS.ProcessEnv = process.env): boolean {
  const stage = currentStage(env);
  return stage === 'local' || stage === 'test';
}

/**
 * Declares a config section. `schema` builds the schema that describes the variables (by their env
 * names) and may transform them; it is told whether the environment is the local stack's (a
 * section whose local default is not a variable's text, such as the local plans, gives it there
 * without a round trip through that text). `localDefaults` fill gaps on the local stack only. The
 * result is a memoised getter.
 *
 * The schema is built at the first parse, not when the module loads: a bundle holds every section of
 * the config files it imports (the shared stack's webhook secrets, a provider's config beside its
 * adapter), and a function builds only those it reads. Each call is written
 * `/* @__PURE__ *\/ defineConfig(...)`, so esbuild may drop a section that no code of the bundle
 * reads (as shared/zod.ts's defineSchema: the function's own mark is not carried to calls in other
 * files).
 */
export function defineConfig<S extends z.ZodMiniType>(
  section: string,
  schema: (where: { local: boolean }) => S,
  localDefaults: Record<string, string> = {},
): (() => z.output<S>) & { reset(): void; parse(env: NodeJS.ProcessEnv): z.output<S> } {
  const built: { local?: S; deployed?: S } = {};
  let cached: z.output<S> | undefined;
  const parse = (env: NodeJS.ProcessEnv) => {
    const local = usesLocalDefaults(env);
    return parseConfig(section, local ? (built.local ??= schema({ local })) : (built.deployed ??= schema({ local })), localDefaults, env);
  };
  const get = () => {
    if (cached === undefined) cached = parse(process.env);
    return cached;
  };
  return Object.assign(get, {
    reset: () => (cached = undefined),
    /** Parses a given environment instead of process.env (tests). */
    parse,
  });
}

export function parseConfig<S extends z.ZodMiniType>(
  section: string,
  schema: S,
  localDefaults: Record<string, string>,
  env: NodeJS.ProcessEnv,
): z.output<S> {
  const local = usesLocalDefaults(env);
  const source: Record<string, string | undefined> = {};
  const read = (key: string) => {
    const value = env[key];
    if (value !== undefined && value !== '') source[key] = value;
    else if (local && localDefaults[key] !== undefined) source[key] = localDefaults[key];
  };
  // Only the variables the section names, where it says which: process.env is read through an
  // interceptor, and copying all of it for every section cost a cold start ~1 ms.
  const keys = variablesOf(schema);
  if (keys) for (const key of keys) read(key);
  else for (const key of new Set([...Object.keys(local ? localDefaults : {}), ...Object.keys(env)])) read(key);
  const result = schema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration (${section}): ${problems}`);
  }
  return result.data;
}

/** The variables a section's schema reads: the keys of its object (under any pipes); undefined when it is not one. */
function variablesOf(schema: z.ZodMiniType): string[] | undefined {
  let def = schema._zod.def as z.core.$ZodTypeDef & { in?: z.ZodMiniType; shape?: Record<string, unknown>; catchall?: unknown };
  while (def.type === 'pipe' && def.in) def = def.in._zod.def as typeof def;
  return def.type === 'object' && def.shape && !def.catchall ? Object.keys(def.shape) : undefined;
}

// The kinds of variable, as functions that give a schema: called inside a section's schema builder,
// so nothing is built at load. Each kind is built once and shared by every variable of that kind (a
// schema is immutable: `check` and the like return a new one), so a cold start that reads ten
// sections builds each kind once rather than once per variable (`z.deferSchema`).
/** A variable that must be set and not empty. */
export const nonEmpty = /* @__PURE__ */ z.deferSchema(() => z.string().check(z.minLength(1)));

/** A comma-separated list in one variable. */
export const csv = /* @__PURE__ */ z.deferSchema(() =>
  z.pipe(
    z.string(),
    z.transform((s: string) => s.split(',').map((p) => p.trim()).filter(Boolean)),
  ),
);

/** "1", "true", "yes" are true; anything else (or unset) false. */
export const flag = /* @__PURE__ */ z.deferSchema(() =>
  z.pipe(
    z.optional(z.string()),
    z.transform((s: string | undefined) => s !== undefined && ['1', 'true', 'yes'].includes(s.toLowerCase())),
  ),
);

/** A positive integer given as text. */
export const positiveInt = /* @__PURE__ */ z.deferSchema(() =>
  z.pipe(
    z.string(),
    z.transform((s: string, ctx) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n <= 0) {
        ctx.issues.push({ code: 'custom', message: 'must be a positive integer', input: s });
        return z.NEVER;
      }
      return n;
    }),
  ),
);

/** A URL. */
export const url = /* @__PURE__ */ z.deferSchema(() => z.url());
