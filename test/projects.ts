// The test tiers (vitest projects) and which files each holds: read by vitest.config.ts and by
// scripts/test-profile.ts, which reports the time per project.

/**
 * Suites that need a stack of their own (the `isolated` project), and why: they set the stack's
 * configuration before it starts (a handler reads it once, at its cold start), or pause the stack on
 * purpose. Every other suite under test/integration/ and test/fuzz/ shares its worker's stack.
 */
export const OWN_STACK = [
  // CALLBACK_PROVIDER and the callback limits are read at cold start.
  'test/integration/callback-requests.test.ts',
  'test/integration/callback-requests-fonial.test.ts',
  'test/integration/callback-requests-jambonz.test.ts',
  'test/integration/callback-ip-limit.test.ts',
  // The public forms' limits, set low before the stack starts.
  'test/integration/rate-limits.test.ts',
  // The device cap and the signed-in users' mail limits (call reports, address confirmations), set low before the stack starts.
  'test/integration/mail-bounds.test.ts',
  // The hotline service's quotas, set low before the stack starts.
  'test/integration/quotas.test.ts',
  // The per-key request rate of API keys, set low before the stack starts.
  'test/integration/api-key-rate-limit.test.ts',
  // Sets the plans before the stack starts (Starter without a number), and empties the number pool to make users wait.
  'test/integration/billing-lifecycle.test.ts',
  // Takes the whole number pool: counts every free and assigned number.
  'test/integration/pool-assignment.test.ts',
  // Imports and lists the whole pool, and deletes every pool row: other files add numbers of their own.
  'test/integration/pool-numbers.test.ts',
  // Counts what its use cases wrote to a table of its own, on a DynamoDB Local of its own.
  'test/integration/public-forms.test.ts',
  // Deletes every customer index item and stats counter item, which every customer of the table shares,
  // and compares the whole customer listing and the figures before and after its rebuild.
  'test/integration/reindex.test.ts',
  // Pauses DynamoDB Local (a JVM of its own).
  'test/integration/table-outage.test.ts',
  // Deletes its stack's table to show the deep health check failing.
  'test/integration/health.test.ts',
  // Moves its SQS emulator's clock, sets the webhook endpoint limit low and points a name at a private address before the stack starts.
  'test/integration/webhooks.test.ts',
];

export const PROJECTS = ['unit', 'contract', 'integration', 'isolated', 'infra', 'e2e', 'logs'] as const;
export type ProjectName = (typeof PROJECTS)[number];

/** The project a test file (a path from the repository root) belongs to. */
export function projectOf(file: string): ProjectName | undefined {
  if (OWN_STACK.includes(file)) return 'isolated';
  const dir = /^test\/([a-z0-9]+)\//.exec(file)?.[1];
  if (dir === 'fuzz') return 'integration';
  return (PROJECTS as readonly string[]).includes(dir ?? '') ? (dir as ProjectName) : undefined;
}
