import type { Express } from 'express';
import {
  CLIENT_ADDRESS_HEADER,
  SESSION_ID_HEADER,
  decodeCursor,
  encodeCursor,
  pageQuery,
  queryPageToken,
  requireCaller,
  sendPage,
  unauthorized,
} from '@flock/kit';
import { REGISTRATION_ACCEPTED, type UsersDomain } from './users.domain.js';
import {
  loginRequest,
  logoutRequest,
  refreshRequest,
  registerRequest,
  sessionParams,
  updateUserRequest,
  userIdParams,
} from './users.schemas.js';

export function usersRoutes(app: Express, users: UsersDomain): void {
  app.post('/auth/register', async (req, res) => {
    await users.register(registerRequest.parse(req.body));
    res.status(202).json({ detail: REGISTRATION_ACCEPTED });
  });

  app.post('/auth/login', async (req, res) => {
    // The gateway sets the address; without it (an internal caller) all such calls share one.
    const source = req.get(CLIENT_ADDRESS_HEADER) ?? 'unknown';
    res.json(await users.login(loginRequest.parse(req.body), source));
  });

  app.post('/auth/refresh', async (req, res) => {
    res.json(await users.refresh(refreshRequest.parse(req.body).refreshToken));
  });

  app.post('/auth/logout', async (req, res) => {
    const caller = requireCaller(req);
    const sessionId = req.get(SESSION_ID_HEADER);
    if (!sessionId) throw unauthorized();
    await users.logout(caller, sessionId, logoutRequest.parse(req.body ?? {}).refreshToken);
    res.status(204).end();
  });

  app.get('/me', async (req, res) => {
    res.json(await users.me(requireCaller(req)));
  });

  app.get('/users', async (req, res) => {
    const { limit, cursor } = pageQuery.parse(req.query);
    const page = await users.list(
      limit,
      cursor === undefined ? undefined : decodeCursor(cursor, queryPageToken),
    );
    sendPage(req, res, {
      ...page,
      ...(page.nextCursor ? { nextCursor: encodeCursor(page.nextCursor) } : {}),
    });
  });

  app.get('/users/:id', async (req, res) => {
    res.json(await users.profile(userIdParams.parse(req.params).id));
  });

  app.patch('/users/:id', async (req, res) => {
    res.json(
      await users.update(
        requireCaller(req),
        userIdParams.parse(req.params).id,
        updateUserRequest.parse(req.body),
      ),
    );
  });

  app.delete('/users/:id', async (req, res) => {
    await users.remove(requireCaller(req), userIdParams.parse(req.params).id);
    res.status(204).end();
  });

  // Internal (reached only through Dapr invocation; the gateway does not route it).
  app.get('/internal/users/:userId/sessions/:sessionId/revoked', async (req, res) => {
    const { userId, sessionId } = sessionParams.parse(req.params);
    res.json({ revoked: await users.isRevoked(userId, sessionId) });
  });
}
