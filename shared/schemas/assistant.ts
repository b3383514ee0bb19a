// Schemas of the caller's assistant (PUT /v1/me/assistant, and its part of GET /v1/me).
import * as z from '../zod';
import { ASSISTANT_LANGUAGES } from '../config/assistant';
import { isoDateTime, line } from './common';

export const AssistantSetup = /* @__PURE__ */ z.defineSchema(() => z
  .strictObject({
    greeting: z.optional(
      line(500).register(z.globalRegistry, {
        description: "What the assistant says first when it answers a call. Left out: kept as it is; on creation, a default greeting in the assistant's language.",
      }),
    ),
    language: z.optional(
      z.enum(ASSISTANT_LANGUAGES).register(z.globalRegistry, {
        description:
          "The language the assistant hears and speaks; picks its speech recognition, voice and prompt. Left out: kept as it is; on creation, the caller's email language from the settings, else German.",
      }),
    ),
  })
  .register(z.globalRegistry, { id: 'AssistantSetup', description: 'Both fields optional: what is left out keeps its value (or its default when the assistant is created).' }));

export const AssistantPhoneNumber = /* @__PURE__ */ z.defineReply(() => z
  .nullable(
    z.union([
      z.object({
        status: z.enum(['active', 'connecting']),
        number: z.string(),
      }),
      z.object({ status: z.literal('pending') }),
    ]),
  )
  .register(z.globalRegistry, {
    id: 'AssistantPhoneNumber',
    description:
      'The pool number the assistant answers: `active` (calls reach the assistant), `connecting` (assigned, being bound to the assistant), `pending` (the plan includes a number and none is free yet; the next PUT tries again), or null (the plan includes no pool number).',
  }));

export const Assistant = /* @__PURE__ */ z.defineReply(() => z
  .object({
    assistantId: z.string(),
    greeting: z.string(),
    language: z.enum(ASSISTANT_LANGUAGES),
    phoneNumber: AssistantPhoneNumber,
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
  })
  .register(z.globalRegistry, { id: 'Assistant' }));
