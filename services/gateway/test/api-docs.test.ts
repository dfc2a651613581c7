import { readFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { apiDocument } from '../src/gateway.apis.js';
import { apiMarkdown } from '../src/gateway.api-markdown.js';

describe('docs/api.md', () => {
  test('when the API changes, then docs/api.md is regenerated with it (npm run docs:api)', async () => {
    const file = new URL('../../../docs/api.md', import.meta.url);
    const committed = await readFile(file, 'utf8');
    const options = (await resolveConfig(file)) ?? {};
    const fresh = await format(apiMarkdown(apiDocument() as never), {
      ...options,
      parser: 'markdown',
    });
    expect(committed).toBe(fresh);
  });

  test('when a route needs a token, then the reference says so', () => {
    const text = apiMarkdown(apiDocument() as never);
    expect(text).toMatch(/### `POST \/posts`\n\n[^\n]*\(token required\)/);
    expect(text).toMatch(/### `POST \/auth\/register`\n\n[^\n]*\(public\)/);
  });
});
