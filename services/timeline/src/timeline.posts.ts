import { APP_IDS, type Dapr, type PostBatchRequest, type PostBatchResponse } from '@flock/kit';
import type { PostReader } from './timeline.domain.js';

/** The posts service's batch read, by service invocation: one call per timeline page. */
export class InvokedPostReader implements PostReader {
  constructor(private readonly dapr: Dapr) {}

  async read(ids: readonly string[], viewerId?: string): Promise<PostBatchResponse['items']> {
    if (ids.length === 0) return [];
    const body: PostBatchRequest = { ids: [...ids], ...(viewerId ? { viewerId } : {}) };
    const answer = await this.dapr.invokeUnchecked<PostBatchResponse>(
      APP_IDS.posts,
      'internal/posts/batch',
      { method: 'POST', body },
    );
    return answer.items;
  }
}
