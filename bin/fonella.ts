// CDK app: `npx cdk synth` / `npx cdk deploy`. Settings come from the `fonella` context in cdk.json.
import { App } from 'aws-cdk-lib';
import { fileURLToPath } from 'node:url';
import { FonellaStack } from '../lib/fonella-stack';
import { operations } from '../lib/operations';
import { queueWorkers } from '../lib/queues';
import { routes } from '../lib/routes';
import { workers } from '../lib/workers';
import { StackSettings } from '../lib/settings';

const app = new App();
const settings = StackSettings.parse(app.node.tryGetContext('fonella'));
new FonellaStack(app, `Fonella-${settings.stage}`, {
  settings,
  routes,
  workers,
  queueWorkers,
  operations,
  root: fileURLToPath(new URL('..', import.meta.url)),
  env: { region: process.env.CDK_DEFAULT_REGION ?? 'eu-central-1', account: process.env.CDK_DEFAULT_ACCOUNT },
});
