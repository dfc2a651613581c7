import { EVENTS, type Subscription, type Topic } from '@flock/kit';
import type { AnalyticsDomain } from './analytics.domain.js';
import { isConflict } from './analytics.store.js';

/** Every topic of the catalog: what counts is counted once per event id; the rest is ignored. */
export function analyticsSubscriptions(analytics: AnalyticsDomain): Subscription[] {
  return (Object.keys(EVENTS) as Topic[]).map((topic): Subscription => ({
    topic,
    schema: EVENTS[topic],
    async handle(event, log) {
      try {
        const outcome = await analytics.onEvent(event.id, topic, event.data as never);
        log.debug({ outcome }, 'counted');
      } catch (error) {
        // A lost race is a 409, which the kit would DROP as a caller's fault: it is transient.
        if (isConflict(error)) return 'RETRY';
        throw error;
      }
    },
  }));
}
