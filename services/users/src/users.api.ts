import { APP_IDS, pageQuery, defineApi } from '@flock/kit';
import { publicUser, revocation, userProfile } from './client/users.client.js';
import {
  loginRequest,
  logoutRequest,
  me,
  refreshRequest,
  registerRequest,
  registration,
  session,
  sessionParams,
  updateUserRequest,
  userIdParams,
} from './users.schemas.js';

export const api = defineApi({
  appId: APP_IDS.users,
  tag: 'users',
  routes: {
    register: {
      method: 'post',
      path: '/auth/register',
      access: 'public',
      summary:
        'Create an account, then sign in. A taken username is a 409; a taken email address gets the same 202 as a new account and creates nothing, so registering tells nobody whose address has an account.',
      body: registerRequest,
      responses: { 202: registration },
    },
    login: {
      method: 'post',
      path: '/auth/login',
      access: 'public',
      summary:
        'Sign in with a username or email. Failed attempts are throttled per account and client address (429 with Retry-After).',
      body: loginRequest,
      responses: { 200: session },
      budget: { name: 'login' },
    },
    refresh: {
      method: 'post',
      path: '/auth/refresh',
      access: 'public',
      summary:
        'Trade a refresh token for new tokens of the same session (the old token is spent; spending it again ends the session)',
      body: refreshRequest,
      responses: { 200: session },
      budget: { name: 'login' },
    },
    logout: {
      method: 'post',
      path: '/auth/logout',
      access: 'auth',
      summary:
        'End the session in use (its access and refresh tokens) and, if a refresh token of another of your sessions is given, that session too',
      body: logoutRequest,
      responses: { 204: null },
      ends: 'session',
    },
    me: {
      method: 'get',
      path: '/me',
      access: 'auth',
      summary: 'The signed-in user',
      responses: { 200: me },
    },
    list: {
      method: 'get',
      path: '/users',
      access: 'public',
      summary: 'All users, newest first',
      query: pageQuery,
      paginated: true,
      responses: { 200: publicUser },
    },
    profile: {
      method: 'get',
      path: '/users/:id',
      access: 'optional-auth',
      summary: 'A user with follower, following and post counts',
      params: userIdParams,
      responses: { 200: userProfile },
    },
    update: {
      method: 'patch',
      path: '/users/:id',
      access: 'auth',
      summary: 'Edit your own profile',
      params: userIdParams,
      body: updateUserRequest,
      responses: { 200: publicUser },
    },
    remove: {
      method: 'delete',
      path: '/users/:id',
      access: 'auth',
      summary:
        'Delete your own account: its tokens stop working at once and, through events, everything it made goes',
      params: userIdParams,
      responses: { 204: null },
      ends: 'account',
    },
    isRevoked: {
      method: 'get',
      path: '/internal/users/:userId/sessions/:sessionId/revoked',
      access: 'internal',
      summary: 'Whether a session was ended (the gateway asks, and caches "not revoked" briefly).',
      params: sessionParams,
      responses: { 200: revocation },
    },
  },
});
