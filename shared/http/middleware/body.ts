// Reads the body: bounded in size, JSON only, parsed once. Routes marked `raw` keep the exact bytes
// (webhook signatures are computed over them).
import type middy from '@middy/core';
import { appConfig } from '../../config/app';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../errors';
import type { RouteDef } from '../route-def';
import { stateOf, type HttpEvent } from '../state';

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
      const type = (event.headers['content-type'] ?? '').toLowerCase();
      if (type && !/^application\/([\w.+-]+\+)?json\b/.test(type)) throw new UnsupportedMediaTypeError();
      // JSON on the network is UTF-8 (RFC 8259); a body declared in another charset is not read as one.
      const charset = /;\s*charset\s*=\s*"?([^";\s]+)/.exec(type)?.[1];
      if (charset && charset !== 'utf-8' && charset !== 'utf8') throw new UnsupportedMediaTypeError();
      try {
        state.body = JSON.parse(raw);
      } catch {
        throw new BadRequestError('malformed-json', 'The body is not valid JSON.');
      }
    },
  };
}
