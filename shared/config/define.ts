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
 * names) and may transform them; `localDefaults` fill gaps on the local stack only. The result is a
 * memoised getter.
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
  schema: () => S,
  localDefaults: Record<string, string> = {},
): (() => z.output<S>) & { reset(): void; parse(env: NodeJS.ProcessEnv): z.output<S> } {
  let built: S | undefined;
  let cached: z.output<S> | undefined;
  const parse = (env: NodeJS.ProcessEnv) => parseConfig(section, (built ??= schema()), localDefaults, env);
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
  const source: Record<string, string | undefined> = usesLocalDefaults(env) ? { ...localDefaults } : {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') source[key] = value;
  const result = schema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration (${section}): ${problems}`);
  }
  return result.data;
}

// The kinds of variable, as functions that build a schema: called inside a section's schema builder,
// so nothing is built at load.

/** A variable that must be set and not empty. */
export const nonEmpty = () => z.string().check(z.minLength(1));

/** A comma-separated list in one variable. */
export const csv = () =>
  z.pipe(
    z.string(),
    z.transform((s: string) => s.split(',').map((p) => p.trim()).filter(Boolean)),
  );

/** "1", "true", "yes" are true; anything else (or unset) false. */
export const flag = () =>
  z.pipe(
    z.optional(z.string()),
    z.transform((s: string | undefined) => s !== undefined && ['1', 'true', 'yes'].includes(s.toLowerCase())),
  );

/** A positive integer given as text. */
export const positiveInt = () =>
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
  );
