// Schemas only replies use are built at their first use (shared/zod.ts `defineReply`): a deployed
// function that does not check its replies never builds them. A request's schema must not reach one,
// or the work would only move from the cold start to the first request.
import { describe, expect, it } from 'vitest';
import * as z from '../../shared/zod';
import { routes } from '../../lib/routes';

/** The reply schemas a schema reaches: lazy ones (a copy of a reply, such as a `clone`, is lazy too). */
function repliesIn(schema: z.ZodMiniType): number {
  let found = 0;
  z.toJSONSchema(schema, {
    unrepresentable: 'any',
    io: 'input',
    override: (ctx) => {
      if (z.REPLIES.has(ctx.zodSchema) || ctx.zodSchema._zod.def.type === 'lazy') found++;
    },
  });
  return found;
}

describe('reply schemas', () => {
  const defs = Object.values(routes);

  it('no request body, query or path reaches one', () => {
    const reached = defs.flatMap((def) =>
      (['body', 'query', 'params'] as const).filter((part) => def.request?.[part] && repliesIn(def.request[part]) > 0).map((part) => `${def.name} ${part}`),
    );
    expect(reached).toEqual([]);
  });

  it('most replies are one, and build on first use', () => {
    const bodies = defs.map((def) => def.response.body).filter((b): b is z.ZodMiniType => b !== undefined);
    const lazy = bodies.filter((b) => z.REPLIES.has(b));
    expect(lazy.length).toBeGreaterThan(bodies.length / 2);
    const reply = z.defineReply(() => z.object({ a: z.string() }));
    expect(reply.safeParse({ a: 'x' }).success).toBe(true);
    expect(reply.safeParse({ a: 1 }).success).toBe(false);
  });
});
