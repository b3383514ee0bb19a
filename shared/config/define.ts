// Configuration comes from environment variables, one section per concern, read once at first use
// (a function's cold start). Defaults exist only for the local stack: on a deployed stage a missing
// variable stops the function at init with a message that names it. Without STAGE a process is the
// local stack, except on Lambda (AWS_LAMBDA_FUNCTION_NAME set): there a function refuses to start
// without a deployed stage rather than run on the local defaults, whose secrets are public (the
// shared route and worker stacks ask for the stage first thing at init).
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
 * How one variable is read: its text (undefined when unset or empty) to its value. A variable that is
 * not what it must be is refused with `refuse`, whose message says what it must be.
 *
 * Why not a zod schema per section, as the request bodies have: the variables are a flat list of texts
 * that CDK writes, read at every cold start, and a section's object, pipe and transform schemas, built
 * and run once per process, were ~2.5 ms of the callback route's ~95 ms cold start (`npm run bench`). The
 * kinds below are a line each; the formats zod knows (email, UUID, IPv4) are checked with zod's own
 * patterns, and a variable holding JSON by a zod schema (`json`), built only where it is set.
 */
export type Variable<T> = (text: string | undefined) => T;
export type Variables = Record<string, Variable<unknown>>;
/** What a section's variables read as, by variable name. */
export type Values<V extends Variables> = { [K in keyof V]: ReturnType<V[K]> };

class ConfigProblem extends Error {}

/** Refuses a variable, or a section in its `build`: `message` says what it must be. */
export const refuse = (message: string): never => {
  throw new ConfigProblem(message);
};

/**
 * Declares a config section: its variables (by their env names) and `build`, which makes their values
 * the section's value; it is told whether the environment is the local stack's (a section whose local
 * default is not a variable's text, such as the local plans, gives it there). `localDefaults` fill gaps
 * on the local stack only. The result is a memoised getter. Each call is written
 * `/* @__PURE__ *\/ defineConfig(...)`, so esbuild may drop a section that no code of the bundle reads.
 */
export function defineConfig<V extends Variables, T>(
  section: string,
  variables: V,
  build: (values: Values<V>, where: { local: boolean }) => T,
  localDefaults: Partial<Record<keyof V & string, string>> = {},
): (() => T) & { reset(): void; parse(env: NodeJS.ProcessEnv): T } {
  let cached: { value: T } | undefined;
  const parse = (env: NodeJS.ProcessEnv) => parseConfig(section, variables, build, localDefaults, env);
  const get = () => (cached ??= { value: parse(process.env) }).value;
  return Object.assign(get, {
    reset: () => (cached = undefined),
    /** Parses a given environment instead of process.env (tests). */
    parse,
  });
}

/** Reads `variables` from `env` (gaps filled from `localDefaults` on the local stack) and builds the section; every problem named at once. */
export function parseConfig<V extends Variables, T>(
  section: string,
  variables: V,
  build: (values: Values<V>, where: { local: boolean }) => T,
  localDefaults: Partial<Record<string, string>>,
  env: NodeJS.ProcessEnv,
): T {
  const local = usesLocalDefaults(env);
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const attempt = (prefix: string, read: () => unknown) => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof ConfigProblem)) throw err;
      problems.push(prefix + err.message);
    }
  };
  for (const [key, variable] of Object.entries(variables)) {
    const set = env[key];
    const text = set !== undefined && set !== '' ? set : local ? localDefaults[key] : undefined;
    values[key] = attempt(`${key}: `, () => variable(text));
  }
  const built = problems.length === 0 ? attempt('', () => build(values as Values<V>, { local })) : undefined;
  if (problems.length > 0) throw new Error(`Invalid configuration (${section}): ${problems.join('; ')}`);
  return built as T;
}

// The kinds of variable. Each is required unless wrapped in `optional` or `withDefault`.
const given = (text: string | undefined): string => text ?? refuse('is required');

/** A variable that must be set and not empty. */
export const nonEmpty: Variable<string> = given;

/** A text of at least `min` characters. */
export const atLeast =
  (min: number): Variable<string> =>
  (text) =>
    given(text).length >= min ? text! : refuse(`must be at least ${min} characters`);

/** A text matching `pattern`. */
export const matching =
  (pattern: RegExp, message: string): Variable<string> =>
  (text) =>
    pattern.test(given(text)) ? text! : refuse(message);

/** One of `values`. */
export const oneOf =
  <const T extends readonly string[]>(values: T): Variable<T[number]> =>
  (text) =>
    values.includes(given(text)) ? (text as T[number]) : refuse(`must be one of ${values.join(', ')}`);

/** A URL, read as zod's `z.url()` reads one: surrounding spaces, and tabs and line breaks within, dropped. */
export const url: Variable<string> = (text) => {
  const value = given(text).trim().replace(/[\t\n\r]/g, '');
  return URL.canParse(value) ? value : refuse('must be a URL');
};

/** An `http://` or `https://` URL. */
export const httpUrl: Variable<string> = (text) => {
  const value = url(text);
  return /^https?:\/\//i.test(value) ? value : refuse('must be an http or https URL');
};

/**
 * zod's patterns for the formats it knows, as `z.email()`, `z.uuid()` and `z.ipv4()` check them:
 * written out, since importing zod's `regexes` bundles all of its ~7 KB of patterns
 * (test/unit/config.test.ts holds them equal to zod's).
 */
export const PATTERNS = {
  // eslint-disable-next-line no-useless-escape -- zod's pattern as it writes it
  email: /^(?:[A-Za-z0-9_'+\-]+\.)*[A-Za-z0-9_'+\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$/,
  uuid: /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/,
  ipv4: /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])$/,
} as const;

/** An email address. */
export const email = /* @__PURE__ */ matching(PATTERNS.email, 'must be an email address');

/** A UUID. */
export const uuid = /* @__PURE__ */ matching(PATTERNS.uuid, 'must be a UUID');

/** An IPv4 address. */
export const ipv4 = /* @__PURE__ */ matching(PATTERNS.ipv4, 'must be an IPv4 address');

/** A positive integer given as text. */
export const positiveInt: Variable<number> = (text) => {
  const n = Number(given(text));
  return Number.isInteger(n) && n > 0 ? n : refuse('must be a positive integer');
};

/** "1", "true", "yes" are true; anything else (or unset) false. */
export const flag: Variable<boolean> = (text) => text !== undefined && ['1', 'true', 'yes'].includes(text.toLowerCase());

/** A comma-separated list in one variable. */
export const csv: Variable<string[]> = (text) =>
  given(text)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);

/** The stage (`STAGE`), as ./define.ts's `currentStage` checks it. */
export const stage = /* @__PURE__ */ oneOf(STAGES);

/** A variable that may be unset: then undefined. */
export const optional =
  <T>(variable: Variable<T>): Variable<T | undefined> =>
  (text) =>
    text === undefined ? undefined : variable(text);

/** A variable read as `fallback` where it is unset, on every stage. */
export const withDefault =
  <T>(variable: Variable<T>, fallback: string): Variable<T> =>
  (text) =>
    variable(text ?? fallback);

/** A variable holding JSON of the shape `schema` gives (a zod schema, built only where the variable is set). */
export const json =
  <T>(schema: () => { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } } }): Variable<T> =>
  (text) => {
    let raw: unknown;
    try {
      raw = JSON.parse(given(text));
    } catch {
      return refuse('is not valid JSON');
    }
    const parsed = schema().safeParse(raw);
    return parsed.success ? parsed.data : refuse(parsed.error.message);
  };
