// Where the single table lives. Locally it is DynamoDB Local; on AWS the endpoint is left unset.
import * as z from '../zod';
import { defineConfig, nonEmpty, url } from './define';

export const tableConfig = /* @__PURE__ */ defineConfig(
  'table',
  () =>
    z.pipe(
      z.object({
        TABLE_NAME: z.string().check(z.minLength(3)),
        DYNAMODB_ENDPOINT: z.optional(url()),
        AWS_REGION: nonEmpty(),
      }),
      z.transform((e) => ({ tableName: e.TABLE_NAME, endpoint: e.DYNAMODB_ENDPOINT, region: e.AWS_REGION })),
    ),
  { TABLE_NAME: 'fonella-local', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', AWS_REGION: 'eu-central-1' },
);
