// The bundle budgets' rule (lib/bundle-budgets.ts), which test/infra/bundles.test.ts applies to every
// function's bundle: how much a bundle may grow, and what the file holds.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { budgetLimit, budgetProblem, readBudgets, writeBudgets } from '../../lib/bundle-budgets';

describe('bundle budgets', () => {
  it('lets a bundle grow by 5 % of its budget', () => {
    expect(budgetLimit(100_000)).toBe(105_000);
    expect(budgetProblem('f', 105_000, { f: 100_000 })).toBeUndefined();
    expect(budgetProblem('f', 105_001, { f: 100_000 })).toMatch(/^f's bundle is 105001 bytes, 5001 \(5\.0 %\) over its budget of 100000/);
  });

  it('but by 8 KB at most, so a large bundle taking a dependency shows', () => {
    expect(budgetLimit(1_000_000)).toBe(1_000_000 + 8192);
    expect(budgetProblem('big', 1_008_192, { big: 1_000_000 })).toBeUndefined();
    expect(budgetProblem('big', 1_008_193, { big: 1_000_000 })).toContain('over its budget');
  });

  it('takes any shrinking', () => {
    expect(budgetProblem('f', 1, { f: 100_000 })).toBeUndefined();
  });

  it('refuses a function without a budget, naming the command that writes one', () => {
    expect(budgetProblem('newFunction', 10, { other: 100_000 })).toContain('newFunction has no bundle budget: run `npm run bench -- --update-budgets`');
  });

  it('writes the budgets sorted by name, and reads them back', () => {
    const file = pathToFileURL(join(mkdtempSync(join(tmpdir(), 'budgets-')), 'budgets.json'));
    writeBudgets({ zeta: 3, alpha: 1, mid: 2 }, file);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).functions)).toEqual(['alpha', 'mid', 'zeta']);
    expect(readBudgets(file)).toEqual({ alpha: 1, mid: 2, zeta: 3 });
  });
});
