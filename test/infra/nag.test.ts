// cdk-nag's AwsSolutions pack over the stack, built in code with bundling skipped. cdk-nag 3 is a CDK
// policy-validation plugin, not an aspect: it reports no annotations and has no NagSuppressions. The
// constructs acknowledge rules with `Validations.of(resource).acknowledge`, narrowly, with a reason;
// the pack's own report (`validateScope`) is what must stay empty.
import { App, NestedStack, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FonellaStack } from '../../lib/fonella-stack';
import { getHealth, routes } from '../../lib/routes';
import { StackSettings } from '../../lib/settings';
import { operations } from '../../lib/operations';
import { queueWorkers } from '../../lib/queues';
import { workers } from '../../lib/workers';
import type { RouteDef } from '../../shared/http/route-def';
import { nestedStacks, stackTemplates } from './stack-templates';

const root = fileURLToPath(new URL('../../', import.meta.url));
const context = JSON.parse(readFileSync(`${root}/cdk.json`, 'utf8')).context;

/** The manifest plus a webhook of each kind (none is in the manifest yet), so their rules are checked too. */
const withWebhooks: Record<string, RouteDef> = {
  ...routes,
  probeVapi: { ...getHealth, name: 'probeVapi', method: 'POST', path: '/v1/probe/vapi-webhook', access: 'vapi', uses: { table: 'write', providers: ['vapi'] } },
  probeStripe: { ...getHealth, name: 'probeStripe', method: 'POST', path: '/v1/probe/stripe-webhook', access: 'stripe', uses: { table: 'write', providers: ['stripe'] } },
};

function nag(routeSet: Record<string, RouteDef>) {
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  // The scope lets the pack write acknowledgments into the template's Metadata (cdk_nag.rules_to_suppress).
  const pack = new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true });
  const settings = StackSettings.parse(context.fonella);
  const stack = new FonellaStack(app, 'Test', {
    settings,
    routes: routeSet,
    workers,
    queueWorkers,
    operations,
    root,
    env: { region: 'eu-central-1', account: '111111111111' },
  });
  // Synthesises, so the checks see the finished tree; the functions are in nested stacks, which the
  // checks walk into (they are children of the stack) and the pack's aspect writes acknowledgments into.
  const templates = stackTemplates(stack);
  const findings = pack
    .validateScope(stack)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`));
  return { stack, templates, findings };
}

describe.each([
  ['the manifest', routes],
  ['the manifest with webhook routes', withWebhooks],
])('cdk-nag AwsSolutions over %s', (_label, routeSet) => {
  let built: ReturnType<typeof nag>;
  beforeAll(() => {
    built = nag(routeSet);
  });

  it('leaves no unacknowledged error or warning', () => {
    expect(built.findings, `\n${built.findings.join('\n')}\n`).toEqual([]);
  });

  it('every acknowledgment names its rule and gives a one-line reason; none is stack-wide', () => {
    const acknowledged = [...built.templates].flatMap(([path, template]) =>
      Object.entries(template.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>).flatMap(([logicalId, r]) =>
        ((r.Metadata?.cdk_nag as { rules_to_suppress?: { id: unknown; reason: unknown }[] } | undefined)?.rules_to_suppress ?? []).map(
          (rule) => ({ logicalId: `${path}/${logicalId}`, ...rule }),
        ),
      ),
    );
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { logicalId, id, reason } of acknowledged) {
      expect(id, logicalId).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(typeof reason === 'string' && reason.trim().length >= 10 && !reason.includes('\n'), `${logicalId} ${String(id)}: ${String(reason)}`).toBe(
        true,
      );
    }
    for (const s of [built.stack, ...nestedStacks(built.stack)]) {
      const stackWide = s.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
      expect(stackWide, s.node.path).toEqual([]);
    }
  });

  it("the pack's aspect reaches every nested stack: each one's template carries its acknowledgments", () => {
    const nested = nestedStacks(built.stack).map((n) => n.node.path);
    expect(nested.length).toBeGreaterThan(1);
    for (const path of nested) {
      const resources = Object.values(built.templates.get(path)!.toJSON().Resources as Record<string, { Metadata?: Record<string, unknown> }>);
      expect(resources.filter((r) => r.Metadata?.cdk_nag).length, path).toBeGreaterThan(0);
    }
  });
});

it('the checks do run: a queue without TLS enforcement or DLQ is reported', () => {
  const app = new App();
  const pack = new AwsSolutionsChecks(app);
  const stack = new Stack(app, 'Bad');
  new Queue(stack, 'Queue');
  const rules = pack.validateScope(stack).violations.map((v) => v.ruleName);
  expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
});

it('the checks reach into a nested stack: a queue there without TLS enforcement or DLQ is reported', () => {
  const app = new App();
  const pack = new AwsSolutionsChecks(app);
  const stack = new Stack(app, 'Bad');
  new Queue(new NestedStack(stack, 'Nested'), 'Queue');
  const violations = pack.validateScope(stack).violations;
  expect(violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  expect(violations.flatMap((v) => v.violatingResources.map((r) => r.constructPath))).toContain('Bad/Nested/Queue/Resource');
});
