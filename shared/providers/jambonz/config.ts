// The jambonz account Fonella acts as: API root (with /v1), API key, account sid, and optionally the
// application that controls calls we create without hooks. All must be set off the local stack.
import * as z from '../../zod';
import { defineConfig, nonEmpty } from '../../config/define';

/** The local stack's key and account; the jambonz emulator accepts exactly these. */
export const JAMBONZ_LOCAL = { apiKey: 'local-jambonz-key', accountSid: '4a1c0de5-7d0e-4c4e-9f3a-0c11a5e0f0e1' } as const;

export const jambonzConfig = defineConfig(
  'jambonz',
  z.pipe(
    z.object({
      JAMBONZ_BASE_URL: z.url(),
      JAMBONZ_API_KEY: nonEmpty,
      JAMBONZ_ACCOUNT_SID: z.uuid(),
      JAMBONZ_APPLICATION_SID: z.optional(z.uuid()),
    }),
    z.transform((e) => ({
      baseUrl: e.JAMBONZ_BASE_URL.replace(/\/+$/, ''),
      apiKey: e.JAMBONZ_API_KEY,
      accountSid: e.JAMBONZ_ACCOUNT_SID,
      applicationSid: e.JAMBONZ_APPLICATION_SID,
    })),
  ),
  {
    JAMBONZ_BASE_URL: 'http://127.0.0.1:4006/v1',
    JAMBONZ_API_KEY: JAMBONZ_LOCAL.apiKey,
    JAMBONZ_ACCOUNT_SID: JAMBONZ_LOCAL.accountSid,
  },
);
