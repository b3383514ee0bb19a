// Schemas every part of the API shares: the problem document and small value types.
import * as z from '../zod';

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.optional(z.string()),
    instance: z.optional(z.string()),
    errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  })
  .register(z.globalRegistry, { id: 'Problem', description: 'RFC 9457 problem details; `type` is urn:fonella:problem:<slug>' });

/** Trimmed text with a length bound; blank strings are refused. */
export const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

export const Email = z.email().check(z.maxLength(254));

export const isoDateTime = z.iso.datetime();
