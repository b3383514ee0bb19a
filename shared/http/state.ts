// What the stack's middlewares learn about a request and hand on to the handler.
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { RateWindowState } from '../errors';
import type { Caller } from './caller';

/** API Gateway HTTP API (payload 2.0) event; public routes carry no authorizer block. */
export type HttpEvent = Omit<APIGatewayProxyEventV2WithJWTAuthorizer, 'requestContext'> & {
  requestContext: Omit<APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'], 'authorizer'> & {
    authorizer?: { jwt?: { claims: Record<string, unknown>; scopes?: string[] | null } };
  };
};

export interface RequestState {
  caller?: Caller;
  /** Where the caller's API key stands in its rate limit (routes that take keys), and the limit's name. */
  rate?: RateWindowState;
  ratePolicy?: string;
  rawBody: string;
  body?: unknown;
  query: Record<string, unknown>;
  params: Record<string, unknown>;
  startedAt: number;
}

// Keyed by the event object, so the handler (which sees only the event) reads what the middlewares
// wrote, and concurrent invocations in the local server never share state.
const states = new WeakMap<object, RequestState>();

export function stateOfEvent(event: HttpEvent): RequestState {
  let state = states.get(event);
  if (!state) {
    state = { rawBody: '', query: {}, params: {}, startedAt: performance.now() };
    states.set(event, state);
  }
  return state;
}

export function stateOf(request: middy.Request<HttpEvent>): RequestState {
  return stateOfEvent(request.event);
}
