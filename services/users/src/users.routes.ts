import type { Express } from 'express';
import { ACCESS_TOKEN_TTL_SECONDS } from '@flock/kit';
import type { UsersDomain } from './users.domain.js';
import { loginRequest, registerRequest, userId } from './users.schemas.js';

export function usersRoutes(
  app: Express,
  users: UsersDomain,
  signAccessToken: (user: { id: string; username: string }) => Promise<string>,
): void {
  app.post('/auth/register', async (req, res) => {
    const user = await users.register(registerRequest.parse(req.body));
    res.status(201).location(`/api/v1/users/${user.id}`).json(user);
  });

  app.post('/auth/login', async (req, res) => {
    const user = await users.authenticate(loginRequest.parse(req.body));
    res.json({
      accessToken: await signAccessToken(user),
      tokenType: 'Bearer',
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      user,
    });
  });

  app.get('/users/:id', async (req, res) => {
    res.json(await users.profile(userId.parse(req.params.id)));
  });
}
