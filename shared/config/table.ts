// Where the single table lives. Locally it is DynamoDB Local; on AWS the endpoint is left unset.
import { atLeast, defineConfig, nonEmpty, optional, url } from './define';

export const tableConfig = /* @__PURE__ */ defineConfig(
  'table',
  { TABLE_NAME: atLeast(3), DYNAMODB_ENDPOINT: optional(url), AWS_REGION: nonEmpty },
  (e) => ({ tableName: e.TABLE_NAME, endpoint: e.DYNAMODB_ENDPOINT, region: e.AWS_REGION }),
  { TABLE_NAME: 'fonella-local', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', AWS_REGION: 'eu-central-1' },
);
