// The route manifest as the suites that go over every route take it: one caller's file at a time.
import type { RouteDef } from '../../shared/http/route-def';

/** A caller's file of the route manifest (lib/routes/<caller>.ts) as its routes, in operation-id order. */
export const callerRoutes = (entries: Record<string, RouteDef>): RouteDef[] => Object.values(entries).sort((a, b) => (a.name < b.name ? -1 : 1));

/**
 * One of `of` shares of `routes` (every route in exactly one share, by its place in operation-id
 * order), for a suite that is split over several files so that the workers run it side by side.
 */
export const share = (routes: RouteDef[], index: number, of: number): RouteDef[] => routes.filter((_, i) => i % of === index);
