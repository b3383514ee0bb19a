// Schemas of POST /v1/me/call-reports: a customer reports one of their calls for review (Microsoft
// Store policy 11.16: users can report AI-generated content). The call is named by its id and its
// start, as GET /v1/me/calls answers them.
import * as z from '../zod';
import { LOCALES } from '../model/locale';
import { paragraph } from './common';

/** The longest description taken: a few paragraphs of what was wrong with the call. */
export const CALL_REPORT_DESCRIPTION_MAX = 2000;

export const CallReportRequest = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    callId: z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[A-Za-z0-9_-]+$/, 'Must be a call id.')).register(z.globalRegistry, {
      description: "The call's id, as `GET /v1/me/calls` answers it.",
    }),
    startedAt: z.iso.datetime({ offset: true }).check(z.maxLength(64)).register(z.globalRegistry, {
      description: "When the call started (RFC 3339), as `GET /v1/me/calls` answers it: it must be the stored call's start (the same instant).",
    }),
    description: paragraph(CALL_REPORT_DESCRIPTION_MAX).register(z.globalRegistry, {
      description: 'What is wrong with the call (what the assistant said or did), in the reporter\'s words.',
    }),
    locale: z.optional(
      z.enum(LOCALES).register(z.globalRegistry, {
        description: "The language the report is written in; without it, the caller's email language (settings), else `Accept-Language`.",
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'CallReportRequest' }));

export const CallReportAccepted = /* @__PURE__ */ z.defineReply(() => z
  .object({ reportId: z.string() })
  .register(z.globalRegistry, { id: 'CallReportAccepted', description: 'The report is stored under this id; the review team is emailed.' }));
