// Schemas of the data exports: POST /v1/me/exports and GET /v1/me/exports/{exportId}.
import * as z from '../zod';
import { isoDateTime } from './common';

export const ExportPath = /* @__PURE__ */ z.defineSchema(() => z.strictObject({
  exportId: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9-]+$/, 'Must be an export id.')).register(z.globalRegistry, {
    description: 'The id `POST /v1/me/exports` answered.',
    examples: ['1b4e28ba-2fa1-41d2-883f-0016d3cca427'],
  }),
}));

export const DataExport = /* @__PURE__ */ z.defineReply(() => z
  .object({
    exportId: z.string(),
    status: z.enum(['running', 'ready', 'expired', 'failed']).register(z.globalRegistry, {
      description:
        '`running`: being made. `ready`: `files` holds a download link per file. `expired`: its files were deleted (the stated days after it was ready). `failed`: it did not finish in time; ask for a new one.',
    }),
    schemaVersion: z.int().register(z.globalRegistry, { description: "The version of the JSON document's schema (its `schemaVersion`)." }),
    requestedAt: isoDateTime,
    readyAt: z.nullable(isoDateTime),
    expiresAt: z.nullable(isoDateTime).register(z.globalRegistry, { description: 'When the files are deleted (7 days after `readyAt` unless the stage says otherwise).' }),
    files: z
      .array(
        z.object({
          name: z.string().register(z.globalRegistry, { examples: ['fonella-export.json', 'calls.csv'] }),
          contentType: z.string(),
          bytes: z.int(),
          url: z.string().register(z.globalRegistry, { description: 'A download link (a presigned GET of the file), made for this answer: it works until `urlExpiresAt`, then ask again.' }),
          urlExpiresAt: isoDateTime,
        }),
      )
      .register(z.globalRegistry, { description: 'Only while `ready`: the JSON document of everything held about the account, and the calls as CSV.' }),
  })
  .register(z.globalRegistry, { id: 'DataExport' }));
