// Validates body, query and path parameters against the route's zod schemas and reports every bad
// field at once. Unknown fields fail because request schemas are strict objects (the one exception,
// the free-form device info of POST /v1/me/devices, says `additionalProperties: true` in its OpenAPI
// and drops what it does not know); a route without a query schema takes no query parameters.
import type middy from '@middy/core';
import type * as z from '../../zod';
import { ValidationError, type FieldError } from '../../errors';
import type { ProblemAnswer, RouteDef } from '../route-def';
import { stateOf, type HttpEvent } from '../state';
import { IDEMPOTENCY_KEY_RULE } from './idempotency';

/**
 * What this middleware answers (lib/openapi.ts documents it): 400 `validation` on every route, one
 * without a query schema refusing any query parameter. ./idempotency.ts answers a bad
 * Idempotency-Key header with the same problem, so it is named here too.
 */
export function answers(def: Pick<RouteDef, 'idempotent'>): ProblemAnswer[] {
  const slug = new ValidationError([]).slug;
  const key = def.idempotent ? `, or the \`Idempotency-Key\` header is not ${IDEMPOTENCY_KEY_RULE}` : '';
  return [{ status: 400, title: 'Bad request', slugs: [slug], description: `\`${slug}\`: fields or query parameters are invalid or unknown${key}, and \`errors\` names each one.` }];
}

export function validateRequest(route: RouteDef): middy.MiddlewareObj<HttpEvent> {
  return {
    before: async (request) => {
      const state = stateOf(request);
      const event = request.event;
      const errors: FieldError[] = [];
      const check = (where: string, schema: z.ZodMiniType | undefined, value: unknown) => {
        if (!schema) return value;
        const r = schema.safeParse(value);
        if (r.success) return r.data;
        errors.push(...fieldErrors(where, r.error.issues));
        return undefined;
      };
      const req = route.request;
      if (req?.body && !req.raw) {
        state.body = check('body', req.body, state.body === undefined ? {} : state.body);
      }
      const query = event.queryStringParameters ?? {};
      if (req?.query) state.query = check('query', req.query, query) as Record<string, unknown>;
      else {
        // A route without query parameters refuses any, as request schemas refuse unknown fields.
        errors.push(...Object.keys(query).map((k) => ({ path: `query.${k}`, message: 'Unknown query parameter.' })));
        state.query = {};
      }
      state.params = check('params', req?.params, event.pathParameters ?? {}) as Record<string, unknown>;
      if (errors.length > 0) throw new ValidationError(errors);
    },
  };
}

export function fieldErrors(where: string, issues: z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) => {
    const base = [where, ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ path: `${base}.${k}`, message: 'Unknown field.' }));
    }
    return [{ path: base, message: issue.message }];
  });
}
