import { parse } from '@marcbachmann/cel-js';
import type { CloudEvent } from './cloudevent.js';
import type { Subscription } from './subscriptions.js';

export type Route = (event: CloudEvent) => string | undefined;

/**
 * A subscription's routing rules as daprd runs them (pkg/runtime/subscription): in order, the
 * first rule whose CEL `match` is true over `event` (the CloudEvent, `data` parsed) gives the
 * path; an empty match always matches. No rule matching gives undefined; a match that fails or is
 * not a boolean throws. Expressions are compiled once, here, so a bad one fails at subscribe time.
 */
export function compileRoute(rules: Subscription['rules']): Route {
  const compiled = rules.map((rule) => ({
    path: rule.path,
    test: rule.match === '' ? undefined : parse(rule.match),
    match: rule.match,
  }));
  return (event) => {
    for (const rule of compiled) {
      if (!rule.test) return rule.path;
      const result: unknown = rule.test({ event });
      if (typeof result !== 'boolean')
        throw new Error(`the result of match expression ${rule.match} was not a boolean`);
      if (result) return rule.path;
    }
    return undefined;
  };
}
