import { apiDocument } from '../gateway.apis.js';
import { apiMarkdown } from '../gateway.api-markdown.js';

// Prints docs/api.md: `node services/gateway/dist/cli/api-markdown.js > docs/api.md`
process.stdout.write(apiMarkdown(apiDocument() as never));
