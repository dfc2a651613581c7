import { readFile } from 'node:fs/promises';
import { apiDocument } from '@flock/gateway/openapi';
import { generateSchema, SCHEMA_FILE } from '../../scripts/gen-api';
import { API_BASE } from '../../src/api/client';

describe('the API types', () => {
  test('when the OpenAPI document is generated afresh, then it equals the committed src/api/schema.d.ts', async () => {
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    const fresh = await generateSchema();
    if (fresh !== committed) {
      throw new Error(
        'web/src/api/schema.d.ts is stale: the public API changed. Run `npm run build && npm run gen:api -w web` and commit it.',
      );
    }
  }, 60_000);

  test('when the client calls the API, then it calls it where the gateway serves it', () => {
    expect((apiDocument() as { servers?: unknown }).servers).toEqual([{ url: API_BASE }]);
  });
});
