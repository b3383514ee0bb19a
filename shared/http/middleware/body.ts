// Reads the body: bounded in size, JSON only, parsed once. Routes marked `raw` keep the exact bytes
// (webhook signatures are computed over them).
import type middy from '@middy/core';
import { appConfig } from '../../config/app';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../errors';
import type { RouteDef } from '../route-def';
import { stateOf, type HttpEvent } from '../state';

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
      if (!route.request?.body) throw new BadRequestError('unexpected-body', 'This endpoint takes no request body.');
      if (!isJson(event.headers['content-type'])) throw new UnsupportedMediaTypeError();
      try {
        state.body = JSON.parse(raw);
      } catch {
        throw new BadRequestError('malformed-json', 'The body is not valid JSON.');
      }
    },
  };
}
