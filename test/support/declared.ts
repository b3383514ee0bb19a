// A refusal a route declares in its manifest entry for the state of what a valid request names (an
// invite token no invite has, a partner that does not exist): the status and the problem type both
// as declared. The route-generic tests accept it beside the route's success; an undeclared refusal
// of a valid request still fails them.
import type { RouteDef } from '../../shared/http/route-def';

export function declaredRefusal(r: RouteDef, status: number, body: unknown): boolean {
  if (status < 400 || status >= 500 || status === 401 || status === 403) return false;
  const type = (body as { type?: unknown } | null)?.type;
  if (typeof type !== 'string') return false;
  const slug = type.replace(/^urn:fonella:problem:/, '');
  return (r.errors ?? []).some((e) => e.status === status && e.slugs.includes(slug));
}
