import type { Express } from 'express';
import {
  decodeCursor,
  encodeCursor,
  pageQuery,
  queryPageToken,
  requireCaller,
  sendPage,
  unauthorized,
} from '@flock/kit';
import type { UsersDomain } from './users.domain.js';
import {
  loginRequest,
  logoutRequest,
  refreshRequest,
  registerRequest,
  tokenIdParams,
  updateUserRequest,
  userIdParams,
} from './users.schemas.js';

/** The gateway passes the verified token's id and expiry so logout can revoke exactly it. */
const TOKEN_ID_HEADER = 'x-flock-token-id';
const TOKEN_EXPIRES_HEADER = 'x-flock-token-expires';

export function usersRoutes(app: Express, users: UsersDomain): void {
  app.post('/auth/register', async (req, res) => {
    const user = await users.register(registerRequest.parse(req.body));
    res.status(201).location(`/api/v1/users/${user.id}`).json(user);
  });

  app.post('/auth/login', async (req, res) => {
    res.json(await users.login(loginRequest.parse(req.body)));
  });

  app.post('/auth/refresh', async (req, res) => {
    res.json(await users.refresh(refreshRequest.parse(req.body).refreshToken));
  });

  app.post('/auth/logout', async (req, res) => {
    requireCaller(req);
    const tokenId = req.get(TOKEN_ID_HEADER);
    const expiresAt = Number(req.get(TOKEN_EXPIRES_HEADER));
    if (!tokenId || !Number.isFinite(expiresAt)) throw unauthorized();
    await users.logout(tokenId, expiresAt, logoutRequest.parse(req.body ?? {}).refreshToken);
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
  app.get('/internal/tokens/:jti/revoked', async (req, res) => {
    res.json({ revoked: await users.isRevoked(tokenIdParams.parse(req.params).jti) });
  });
}
