// The order in which vitest hands out test files (vitest.config.ts `sequence.sequencer`). Within a
// group (`sequence.groupOrder`), projects keep together, the shared-stack `integration` project
// first: a worker keeps its stack only while the next file in the queue is of its project. Within a
// project the longest files go first, so that the last to finish is a short one: the time the last
// run recorded (vitest's cache), or, on a fresh clone with no cache, the estimate below.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { PROJECTS, type ProjectName } from './projects.ts';

/** Seconds a file took on the machines this is built on, where it is one of the long ones. */
const ESTIMATE: [RegExp, number][] = [
  [/^test\/fuzz\//, 60],
  [/^test\/integration\/auth-matrix-/, 40],
  [/^test\/integration\/teardown\.test\.ts$/, 60],
  [/^test\/integration\/table-outage\.test\.ts$/, 25],
  [/^test\/integration\/reindex\.test\.ts$/, 45],
  [/^test\/integration\/(mail-bounds|quotas|callback-requests|billing-lifecycle)\.test\.ts$/, 16],
  [/^test\/infra\/bundles\.test\.ts$/, 20],
];
const ORDER: ProjectName[] = ['integration', 'isolated', ...PROJECTS.filter((p) => p !== 'integration' && p !== 'isolated')];

export default class Sequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const cost = (spec: TestSpecification): number => {
      const file = relative(root, spec.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${file}`);
      if (cached?.duration) return cached.duration / 1000;
      const estimate = ESTIMATE.find(([pattern]) => pattern.test(file))?.[1];
      return estimate ?? (this.ctx.cache.getFileStats(`${spec.project.name}:${file}`)?.size ?? 0) / 10_000;
    };
    const rank = (spec: TestSpecification) => ORDER.indexOf(spec.project.name as ProjectName);
    return [...files].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        rank(a) - rank(b) ||
        cost(b) - cost(a),
    );
  }
}
