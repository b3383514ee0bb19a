// Turns any error into an application/problem+json response (RFC 9457). Our typed errors show their
// own title and detail (we write those texts); anything else is a 500 with a generic text, its
// details going to the log only.
import type middy from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { AppError, PROBLEM_BASE } from '../../errors';
import { logger } from '../../observability/logger';
import type { ProblemAnswer } from '../route-def';

const INTERNAL = 'internal';

/**
 * What this middleware answers (lib/openapi.ts documents it): 500 `internal` for anything that is not
 * our typed error. The sentence goes on with API Gateway's own 500 in the document.
 */
export const answers = (): ProblemAnswer[] => [{ status: 500, title: 'Unexpected error', slugs: [INTERNAL], description: `\`${INTERNAL}\` from the function;` }];

export function problemJson(
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): APIGatewayProxyResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function toProblem(err: unknown): APIGatewayProxyResultV2 {
  if (err instanceof AppError) {
    return problemJson(
      err.status,
      {
        type: PROBLEM_BASE + err.slug,
        title: err.title,
        status: err.status,
        detail: err.message,
        ...(err.errors ? { errors: err.errors } : {}),
      },
      err.headers,
    );
  }
  return problemJson(500, {
    type: PROBLEM_BASE + INTERNAL,
    title: 'Internal error',
    status: 500,
    detail: 'Something went wrong on our side. Try again later.',
  });
}

export function problemResponses(): middy.MiddlewareObj {
  return {
    onError: async (request) => {
      const err = request.error;
      // 4xx outcomes appear in the access log line; 5xx get their cause logged here.
      if (!(err instanceof AppError) || err.status >= 500) logger.error('request failed', { error: err as Error });
      request.response = toProblem(err);
    },
  };
}
