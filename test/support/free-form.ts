// Whether a request body schema is free-form: its OpenAPI metadata says `additionalProperties: true`
// (POST /v1/me/devices). Every other body is a strict object, and the route-generic tests hold it to that.
import * as z from 'zod/mini';

export const freeForm = (schema: z.ZodMiniType): boolean =>
  (z.globalRegistry.get(schema) as { additionalProperties?: unknown } | undefined)?.additionalProperties === true;
