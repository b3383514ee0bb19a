// Each function's bundle budget: its minified bundle's bytes (built by lib/bundling.ts, as CDK builds
// it), checked in as lib/bundle-budgets.json. test/infra/bundles.test.ts fails when a function's
// bundle outgrows its budget by more than the margin below, or when a function has no budget (a new
// function gets one) or a budget names no function. `npm run bench -- --update-budgets` rewrites the
// file from the bundles as they are: a bundle that grows on purpose gets its new budget in the same
// commit, where the diff shows it.
import { readFileSync, writeFileSync } from 'node:fs';

export const BUDGETS_FILE = new URL('./bundle-budgets.json', import.meta.url);

/** How much a bundle may outgrow its budget: 5 % of it, at most 8 KB (a large bundle adding a dependency shows). */
export const BUDGET_MARGIN = { fraction: 0.05, maxBytes: 8 * 1024 } as const;

export type Budgets = Record<string, number>;

/** The bytes a bundle may have before it is over its budget. */
export function budgetLimit(budget: number): number {
  return budget + Math.min(Math.floor(budget * BUDGET_MARGIN.fraction), BUDGET_MARGIN.maxBytes);
}

/** Why a function's bundle does not fit its budget, or undefined when it does. */
export function budgetProblem(name: string, bytes: number, budgets: Budgets): string | undefined {
  const budget = budgets[name];
  if (budget === undefined) return `${name} has no bundle budget: run \`npm run bench -- --update-budgets\` and commit lib/bundle-budgets.json`;
  const limit = budgetLimit(budget);
  if (bytes <= limit) return undefined;
  const grew = bytes - budget;
  return (
    `${name}'s bundle is ${bytes} bytes, ${grew} (${((grew / budget) * 100).toFixed(1)} %) over its budget of ${budget} ` +
    `(the margin allows ${limit - budget}): shrink it, or, if the growth is meant, run \`npm run bench -- --update-budgets\``
  );
}

export function readBudgets(file: URL = BUDGETS_FILE): Budgets {
  return (JSON.parse(readFileSync(file, 'utf8')) as { functions: Budgets }).functions;
}

/** Writes the budgets, names sorted, so a regeneration's diff shows only what changed. */
export function writeBudgets(sizes: Budgets, file: URL = BUDGETS_FILE): void {
  const functions = Object.fromEntries(Object.entries(sizes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(file, `${JSON.stringify({ functions }, null, 2)}\n`);
}
