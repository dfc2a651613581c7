import type { ComponentContext } from '../components/context.js';
import type { StateStore } from './store.js';
import { createPostgresV1StateStore } from './postgresql-v1.js';
import { createPostgresV2StateStore } from './postgresql-v2.js';

/**
 * `state.postgresql`: daprd has two stores under one type, chosen by the component's `version`.
 * v1 (jsonb rows, xmin etags) offers the query API; v2 (bytea rows, UUID etags) does not.
 */
export function createPostgresStateStore(ctx: ComponentContext): Promise<StateStore> {
  switch (ctx.version) {
    case 'v1':
      return createPostgresV1StateStore(ctx);
    case 'v2':
      return createPostgresV2StateStore(ctx);
    default:
      throw new Error(
        `${ctx.metadata.origin}: state.postgresql version "${ctx.version}" does not exist (v1 or v2)`,
      );
  }
}
