import type { Express, Request, Response } from 'express';
import type { z } from 'zod';
import type { ApiRoute, ServiceApi } from '../api.js';
import { callerOf, requireCaller, type AuthUser } from '../auth.js';
import { sendPage, type Page } from './pagination.js';

type Parsed<Route, Part extends 'params' | 'query' | 'body'> = Route extends {
  [P in Part]: infer Schema extends z.ZodType;
}
  ? z.output<Schema>
  : undefined;

type CallerOf<Route> = Route extends { access: 'auth' }
  ? AuthUser
  : Route extends { access: 'optional-auth' }
    ? AuthUser | undefined
    : undefined;

/** A response schema's body (`null`: none). */
type Body<Schema> = Schema extends z.ZodType ? z.input<Schema> : undefined | void;

type Extras<Route> = Route extends { pageExtras: infer Schema extends z.ZodType }
  ? z.input<Schema>
  : unknown;

/** What a handler may answer: one of its route's declared bodies (a page's item on a list). */
export type RouteOutput<Route extends ApiRoute> = Route extends { responses: infer Bodies }
  ? Route extends { paginated: true }
    ? Page<Body<Bodies[keyof Bodies]>> & Extras<Route>
    : Body<Bodies[keyof Bodies]>
  : never;

/** What a handler receives: its route's parts, parsed by the route's own schemas. */
export interface RouteInput<Route extends ApiRoute> {
  params: Parsed<Route, 'params'>;
  query: Parsed<Route, 'query'>;
  body: Parsed<Route, 'body'>;
  /** Required (401 before anything is parsed) on `auth` routes, known if sent on `optional-auth`. */
  caller: CallerOf<Route>;
  /** For headers and for answers beyond a JSON body (an event stream, Location). */
  req: Request;
  res: Response;
}

/**
 * A handler answers with what it returns: a JSON body (a page of a paginated route, with its
 * `Link`), or nothing for a bodiless answer. It may set the status or headers on `res` first, or
 * answer on `res` itself (an event stream).
 */
export type Handlers<Api extends ServiceApi> = {
  [Name in keyof Api['routes']]: (
    input: RouteInput<Api['routes'][Name]>,
  ) => Promise<RouteOutput<Api['routes'][Name]>>;
};

/** Mounts each declared route with its handler: the route's one declaration is also its edge. */
export function mountApi<Api extends ServiceApi>(
  app: Express,
  api: Api,
  handlers: Handlers<Api>,
): void {
  for (const [name, route] of Object.entries(api.routes)) {
    const handle = handlers[name as keyof Api['routes']] as (
      input: RouteInput<ApiRoute>,
    ) => Promise<unknown>;
    const successes = Object.keys(route.responses)
      .map(Number)
      .filter((status) => status < 300);
    const onlySuccess = successes.length === 1 ? successes[0] : undefined;
    app[route.method](route.path, async (req, res) => {
      const caller =
        route.access === 'auth'
          ? requireCaller(req)
          : route.access === 'optional-auth'
            ? callerOf(req)
            : undefined;
      const result = await handle({
        params: route.params?.parse(req.params),
        query: route.query?.parse(req.query),
        body: route.body?.parse(req.body),
        caller,
        req,
        res,
      } as RouteInput<ApiRoute>);
      if (res.headersSent) return;
      if (onlySuccess !== undefined && res.statusCode === 200) res.status(onlySuccess);
      if (result === undefined) res.end();
      else if (route.paginated) sendPage(req, res, ...splitPage(result as Page<unknown>));
      else res.json(result);
    });
  }
}

/** A page's items and cursor, and the list-wide fields it carries beside them. */
function splitPage({ items, nextCursor, ...extra }: Page<unknown>) {
  return [
    { items, ...(nextCursor === undefined ? {} : { nextCursor }) },
    extra as Record<string, unknown>,
  ] as const;
}
