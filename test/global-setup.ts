// One DynamoDB Local for the whole run; every test file creates its own table in it.
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../lib/local/dynamo';

export default async function setup(project: TestProject) {
  // A fresh capture for this run's log check (test/logs/).
  rmSync(new URL('../.local/test-logs', import.meta.url), { recursive: true, force: true });
  const dynamo = await startDynamoLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
