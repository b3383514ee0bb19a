// Reads the body: bounded in size, JSON only, parsed once. Routes marked `raw` keep the exact bytes
// (webhook signatures are computed over them).
import type middy from '@middy/core';
import { appConfig } from '../../config/app';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../errors';
import type { ProblemAnswer, RouteDef } from '../route-def';
import { stateOf, type HttpEvent } from '../state';

const MALFORMED_JSON = 'malformed-json';
const UNEXPECTED_BODY = 'unexpected-body';

/**
 * What this middleware answers (lib/openapi.ts documents it): 413 on any body over the bound, whether
 * or not the route takes one; on a route that parses JSON, 400 for a body that is not JSON and 415 for
 * another media type; on a route that takes no body, 400 for one.
 */
export function answers(def: Pick<RouteDef, 'request'>): ProblemAnswer[] {
  const req = def.request;
  const parsesBody = Boolean(req?.body) && !req?.raw;
  const tooLarge = new PayloadTooLargeError(0).slug;
  const mediaType = new UnsupportedMediaTypeError().slug;
  const bound = req?.maxBodyBytes === undefined ? 'the configured bound, MAX_BODY_BYTES' : `${req.maxBodyBytes} bytes`;
  return [
    ...(parsesBody ? [{ status: 400, title: 'Bad request', slugs: [MALFORMED_JSON], description: `\`${MALFORMED_JSON}\`: the body is not valid JSON.` }] : []),
    ...(!req?.body && !req?.raw
      ? [{ status: 400, title: 'Bad request', slugs: [UNEXPECTED_BODY], description: `\`${UNEXPECTED_BODY}\`: a body was sent, and this operation takes none.` }]
      : []),
    { status: 413, title: 'Body too large', slugs: [tooLarge], description: `\`${tooLarge}\`: it exceeds ${bound}.` },
    ...(parsesBody
      ? [
          {
            status: 415,
            title: 'Unsupported media type',
            slugs: [mediaType],
            description: `\`${mediaType}\`: the body is not declared as JSON in UTF-8 (another \`Content-Type\` or charset).`,
          },
        ]
      : []),
  ];
}

// The media types a body may be sent as: JSON (RFC 8259) and JSON merge patch (RFC 7396), in UTF-8,
// the only charset JSON has on the network. No type, another type or another charset: 415.
const JSON_TYPE = /^application\/(json|merge-patch\+json)\s*(;|$)/;

export function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').toLowerCase().trim();
  if (!JSON_TYPE.test(type)) return false;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/.exec(type)?.[1];
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

export function jsonBody(route: RouteDef): middy.MiddlewareObj<HttpEvent> {
  return {
    before: async (request) => {
      const event = request.event;
      const state = stateOf(request);
      const raw = event.body === undefined || event.body === null
        ? ''
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body;
      const limit = route.request?.maxBodyBytes ?? appConfig().maxBodyBytes;
      if (Buffer.byteLength(raw, 'utf8') > limit) throw new PayloadTooLargeError(limit);
      state.rawBody = raw;
      if (route.request?.raw) return;

      if (raw.trim() === '') {
        state.body = undefined;
        return;
      }
      if (!route.request?.body) throw new BadRequestError(UNEXPECTED_BODY, 'This endpoint takes no request body.');
      if (!isJson(event.headers['content-type'])) throw new UnsupportedMediaTypeError();
      try {
        state.body = JSON.parse(raw);
      } catch {
        throw new BadRequestError(MALFORMED_JSON, 'The body is not valid JSON.');
      }
    },
  };
}
