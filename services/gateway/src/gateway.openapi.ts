import {
  PROBLEM_CONTENT_TYPE,
  PUBLIC_API_PREFIX,
  publicRoutes,
  type ApiRoute,
  type ServiceApi,
} from '@flock/kit';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/** Request shapes are documented as clients send them (before transforms), responses as sent. */
const requestSchema = (schema: z.ZodType): JsonSchema =>
  strip(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
const responseSchema = (schema: z.ZodType): JsonSchema =>
  strip(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema);

/** Drops the dialect marker: inside an OpenAPI 3.1 document the dialect is implied. */
function strip(schema: JsonSchema): JsonSchema {
  const rest = { ...schema };
  delete rest.$schema;
  return rest;
}

const PROBLEM: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** `/posts/:id` → `/posts/{id}` */
const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function parameters(route: ApiRoute): JsonSchema[] {
  const from = (where: 'path' | 'query', schema: z.ZodObject | undefined) => {
    if (!schema) return [];
    const json = requestSchema(schema) as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    return Object.entries(json.properties ?? {}).map(([name, property]) => ({
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      schema: property,
    }));
  };
  const idempotency = route.idempotent
    ? [
        {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          schema: { type: 'string', maxLength: 255 },
          description: 'Retries with the same key return the first result.',
        },
      ]
    : [];
  return [...from('path', route.params), ...from('query', route.query), ...idempotency];
}

function responses(route: ApiRoute): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(route.responses)) {
    if (schema === null) {
      out[status] = { description: 'No content' };
      continue;
    }
    const extras = route.pageExtras ? responseSchema(route.pageExtras) : {};
    const body = route.paginated
      ? {
          type: 'object',
          required: ['items', ...((extras.required as string[] | undefined) ?? [])],
          properties: {
            items: { type: 'array', items: responseSchema(schema) },
            nextCursor: { type: 'string' },
            ...(extras.properties as Record<string, unknown> | undefined),
          },
        }
      : responseSchema(schema);
    out[status] = { description: 'Success', content: { 'application/json': { schema: body } } };
  }
  if (route.params || route.query || route.body) out['400'] = problem('The request is invalid');
  if (route.access !== 'public') out['401'] = problem('A valid access token is required');
  out['429'] = problem('Rate limited; see Retry-After');
  out.default = problem('An error');
  return out;
}

/** OpenAPI 3.1 for the whole public API, generated from the schemas the services validate with. */
export function openApiDocument(apis: readonly ServiceApi[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const api of apis) {
    for (const route of publicRoutes(api)) {
      const path = openApiPath(route.path);
      paths[path] ??= {};
      paths[path][route.method] = {
        tags: [api.tag],
        summary: route.summary,
        operationId: `${route.method}${path
          .replace(/[{}]/g, '')
          .replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase())
          .replace(/\W/g, '')}`,
        parameters: parameters(route),
        ...(route.body
          ? {
              requestBody: {
                // A body whose schema takes none (logout's) may be left out.
                required: !route.body.safeParse(undefined).success,
                content: { 'application/json': { schema: requestSchema(route.body) } },
              },
            }
          : {}),
        responses: responses(route),
        security:
          route.access === 'auth'
            ? [{ bearer: [] }]
            : route.access === 'optional-auth'
              ? [{}, { bearer: [] }]
              : [],
      };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Flock API',
      version,
      description: 'A Twitter-like social platform. Errors are RFC 9457 problem+json.',
    },
    servers: [{ url: PUBLIC_API_PREFIX }],
    tags: apis.map((api) => ({ name: api.tag })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: PROBLEM },
    },
  };
}
