import { readFile } from 'node:fs/promises';
import { generateSchema, SCHEMA_FILE } from '../../scripts/gen-api';

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
});
