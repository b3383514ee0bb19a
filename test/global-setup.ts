// One DynamoDB Local for the whole run; every test file creates its own table in it.
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../lib/local/dynamo';

export default async function setup(project: TestProject) {
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
