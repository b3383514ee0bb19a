// Schemas of the test callback's jambonz hooks (POST /v1/webhooks/jambonz/callback/call|status): the
// call information jambonz posts, with the call's tag as it hands it back (`customerData`).
import * as z from '../zod';
import { JambonzCallPayload } from './hotlines';

/** The tag the callback call was created with (shared/domain/callback-dialers.ts); other fields are kept and ignored. */
export const JambonzCallbackTag = /* @__PURE__ */ z.defineSchema(() => z
  .looseObject({
    requestId: z.optional(z.string().check(z.maxLength(128))).register(z.globalRegistry, { description: 'The callback request the call is for.' }),
  })
  .register(z.globalRegistry, {
    additionalProperties: true,
    description: 'The call\'s `tag`: `purpose`, `requestId`, `locale` and the form\'s variables. A tag that names no callback request of ours is answered, not refused.',
  }));

export const JambonzCallbackPayload = /* @__PURE__ */ z.defineSchema(() => z
  .extend(JambonzCallPayload, { customerData: z.optional(JambonzCallbackTag) })
  .register(z.globalRegistry, {
    id: 'JambonzCallbackPayload',
    additionalProperties: true,
    description: "jambonz's call information for a test callback's call, with its tag in `customerData` (every other field it sends is kept and ignored).",
  }));
