/**
 * docs/api.md, rendered from the OpenAPI document, so the prose reference cannot drift from the
 * schemas that validate requests. `npm run docs:api` rewrites it; a test checks it is current.
 */
type Schema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  default?: unknown;
  anyOf?: Schema[];
  description?: string;
};
type Operation = {
  tags: string[];
  summary: string;
  parameters: Array<{ name: string; in: string; required: boolean; schema: Schema }>;
  requestBody?: { content: { 'application/json': { schema: Schema } } };
  responses: Record<string, { description: string }>;
  security: Array<Record<string, unknown>>;
};
type Document = { paths: Record<string, Record<string, Operation>>; tags: Array<{ name: string }> };

function describe(schema: Schema): string {
  if (schema.anyOf) return schema.anyOf.map(describe).join(' or ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  const type = Array.isArray(schema.type) ? schema.type.join('/') : (schema.type ?? 'any');
  const facts = [
    schema.format,
    schema.minLength !== undefined || schema.maxLength !== undefined
      ? `${schema.minLength ?? 0}..${schema.maxLength ?? '∞'} chars`
      : undefined,
    schema.minimum !== undefined || schema.maximum !== undefined
      ? `${schema.minimum ?? '−∞'}..${schema.maximum ?? '∞'}`
      : undefined,
    schema.default !== undefined ? `default ${JSON.stringify(schema.default)}` : undefined,
  ].filter(Boolean);
  const base = type === 'array' && schema.items ? `array of ${describe(schema.items)}` : type;
  return facts.length ? `${base} (${facts.join(', ')})` : base;
}

function fields(schema: Schema): string[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(
    ([name, property]) =>
      `| \`${name}\` | ${describe(property)} | ${required.has(name) ? 'yes' : 'no'} |`,
  );
}

function access(operation: Operation): string {
  if (operation.security.length === 0) return 'public';
  return operation.security.some((s) => Object.keys(s).length === 0)
    ? 'token optional'
    : 'token required';
}

export function apiMarkdown(document: Document): string {
  const lines = [
    '# API',
    '',
    '<!-- Generated from the OpenAPI document by `npm run docs:api`; do not edit by hand. -->',
    '',
    'Everything is under `/api/flock/v1` on the gateway, JSON in and out; the live OpenAPI 3.1 document is',
    'at `/openapi.json` and Swagger UI at `/docs`. Errors are RFC 9457 `application/problem+json`:',
    '`type` (`https://flock.dev/problems/<name>`), `title`, `status`, `detail`, `instance`, and for',
    'validation errors `errors: [{path, message}]`. Every response carries `X-Request-Id`.',
    '',
    '- **Auth**: `Authorization: Bearer <accessToken>` from `POST /auth/login` (ES256 JWT, 15 minutes;',
    '  refresh with `POST /auth/refresh`). A missing, malformed, forged, expired, revoked or',
    '  `alg: none` token is a 401.',
    '- **Lists**: `?cursor=&limit=` (1–100, default 20); the body is `{items, nextCursor?}` and a',
    '  `Link: <…>; rel="next"` header points at the next page. A cursor not issued by that list is a 400.',
    '- **Rate limits**: per user (signed in) or per client address; `RateLimit-Limit`,',
    '  `RateLimit-Remaining`, `RateLimit-Reset` on every answer; 429 with `Retry-After` beyond.',
    '',
    '## URL space',
    '',
    'Flock’s own API has a prefix of its own, `/api/flock/v1` (as Pleroma keeps `/api/pleroma`).',
    'The instance root’s `/api/v1`, `/api/v2`, `/oauth` and `/.well-known` belong to the Mastodon',
    'client API, where every Mastodon client looks for them and where Flock’s paths would clash',
    '(`/api/v1/notifications` has another shape there). Until that layer serves a path, it answers',
    '404 problem+json; the web app never takes a path in that space. Flock’s API was at `/api/v1`',
    'before: there is no alias, since the Mastodon layer needs those paths.',
    '',
  ];
  for (const { name } of document.tags) {
    const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.tags.includes(name))
        .map(([method, operation]) => ({ path, method, operation })),
    );
    if (routes.length === 0) continue;
    lines.push(`## ${name}`, '');
    for (const { path, method, operation } of routes) {
      lines.push(
        `### \`${method.toUpperCase()} ${path}\``,
        '',
        `${operation.summary} (${access(operation)})`,
        '',
      );
      const parameters = operation.parameters.map(
        (p) => `| \`${p.name}\` (${p.in}) | ${describe(p.schema)} | ${p.required ? 'yes' : 'no'} |`,
      );
      const body = operation.requestBody
        ? fields(operation.requestBody.content['application/json'].schema)
        : [];
      if (parameters.length || body.length) {
        lines.push(
          '| field | type | required |',
          '| --- | --- | --- |',
          ...parameters,
          ...body,
          '',
        );
      }
      const statuses = Object.keys(operation.responses).filter((status) => status !== 'default');
      lines.push(`Answers: ${statuses.join(', ')}.`, '');
    }
  }
  return lines.join('\n');
}
