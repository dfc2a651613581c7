import type { ServiceApi } from '@flock/kit';
import { api as analytics } from '@flock/analytics/api';
import { api as comments } from '@flock/comments/api';
import { api as follows } from '@flock/follows/api';
import { api as notifications } from '@flock/notifications/api';
import { api as posts } from '@flock/posts/api';
import { api as search } from '@flock/search/api';
import { api as timeline } from '@flock/timeline/api';
import { api as users } from '@flock/users/api';
import { openApiDocument } from './gateway.openapi.js';

/** Every service's public API, in the order the OpenAPI document lists them. */
export const APIS: readonly ServiceApi[] = [
  users,
  follows,
  posts,
  comments,
  timeline,
  notifications,
  search,
  analytics,
];

export const API_VERSION = '1.0.0';

/** The OpenAPI 3.1 document of the public API (also used offline to type the web client). */
export const apiDocument = () => openApiDocument(APIS, API_VERSION);
