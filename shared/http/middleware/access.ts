// The route's access rule, checked in the function itself (not only in API Gateway): user routes
// need a verified caller (from the JWT authorizer's claims, or, on routes that take API keys and admin
// routes, the one ./credentials.ts verified) (partner routes also a partner link, checked by partner-route.ts), admin routes the `admin`
// permission, webhooks their shared secret or signature header.
import type middy from '@middy/core';
import { timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError } from '../../providers/stripe/port';
import { verifyJambonzSignature } from '../../providers/jambonz/signature';
import { jambonzWebhookConfig, webhookConfig } from '../../config/webhooks';
import { ForbiddenError, UnauthorizedError } from '../../errors';
import { callerFromClaims } from '../caller';
import { checksBearerInFunction, type ProblemAnswer, type RouteDef } from '../route-def';
import { stateOf, type HttpEvent } from '../state';

const ADMIN_REQUIRED = 'admin-required';
/** Thrown by the partner routes' own stack (shared/domain/partner-portal.ts, PARTNER_REQUIRED). */
const PARTNER_REQUIRED = 'partner-required';

/**
 * What the access rule answers (lib/openapi.ts documents it): 401 on the Vapi and jambonz webhooks
 * without their proof (a missing Stripe-Signature is the Stripe route's own 400 `webhook-signature`),
 * 403 on an admin route without the permission and on a partner route without an active partner link.
 * Behind the JWT authorizer a missing token never reaches the function: API Gateway answers that 401.
 */
export function answers(def: Pick<RouteDef, 'access'>): ProblemAnswer[] {
  const unauthorized = new UnauthorizedError().slug;
  const header = {
    vapi: '`X-Vapi-Secret` is missing or wrong',
    jambonz: '`Jambonz-Signature` is missing, wrong or older than five minutes; nothing was stored',
  };
  if (def.access === 'vapi' || def.access === 'jambonz') {
    return [{ status: 401, title: 'Unauthorized', slugs: [unauthorized], description: `\`${unauthorized}\`: ${header[def.access]}.` }];
  }
  if (def.access === 'admin') {
    return [{ status: 403, title: 'Forbidden', slugs: [ADMIN_REQUIRED], description: `\`${ADMIN_REQUIRED}\`: the token lacks the \`admin\` permission.` }];
  }
  if (def.access === 'partner') {
    return [
      {
        status: 403,
        title: 'Forbidden',
        slugs: [PARTNER_REQUIRED],
        description: `\`${PARTNER_REQUIRED}\`: the caller is linked to no partner, or the partner is not active (disabled, or invited and not yet activated).`,
      },
    ];
  }
  return [];
}

export function authorize(route: RouteDef): middy.MiddlewareObj<HttpEvent> {
  return {
    before: async (request) => {
      const event = request.event;
      // A route that checks its bearer itself has no authorizer: ./credentials.ts has set the caller already.
      const caller = checksBearerInFunction(route) ? stateOf(request).caller : callerFromClaims(event.requestContext.authorizer?.jwt?.claims);
      stateOf(request).caller = caller;
      switch (route.access) {
        case 'public':
          return;
        case 'user':
          if (!caller) throw new UnauthorizedError();
          return;
        case 'partner':
          // The link to an active partner is checked by the partner routes' own stack, by a lookup on
          // the caller's id (shared/http/partner-route.ts): a token claim could outlive a disabled partner.
          if (!caller) throw new UnauthorizedError();
          return;
        case 'admin':
          if (!caller) throw new UnauthorizedError();
          if (!caller.isAdmin) throw new ForbiddenError('This route needs the admin permission.', ADMIN_REQUIRED);
          return;
        case 'vapi': {
          const given = event.headers['x-vapi-secret'];
          if (!given || !safeEqual(given, webhookConfig().vapiSecret)) throw new UnauthorizedError('Missing or wrong X-Vapi-Secret.');
          return;
        }
        case 'stripe':
          // The signature itself is verified with the Stripe SDK by the webhook's use case.
          if (!event.headers['stripe-signature']) throw new WebhookSignatureError('Missing Stripe-Signature.');
          return;
        case 'jambonz': {
          // Checked here, before the body is read: an unsigned request gets no further than this.
          const raw = event.body === undefined || event.body === null ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
          if (!verifyJambonzSignature(raw, event.headers['jambonz-signature'], jambonzWebhookConfig().secret)) {
            throw new UnauthorizedError('Missing, wrong or stale Jambonz-Signature.');
          }
          return;
        }
      }
    },
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
