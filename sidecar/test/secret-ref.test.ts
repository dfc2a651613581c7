import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeIfReachable } from '@flock/testing';
import { holdServersDuringSuite, reachable, SERVERS } from './support/servers.js';
import { startTestSidecar } from './support/sidecars.js';

const rabbitWithSecret = (secretsFile: string) => `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: secretstore
spec:
  type: secretstores.local.file
  version: v1
  metadata:
    - name: secretsFile
      value: ${JSON.stringify(secretsFile)}
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: pubsub
spec:
  type: pubsub.rabbitmq
  version: v1
  metadata:
    - name: hostname
      value: 127.0.0.1:5672
    - name: username
      value: guest
    - name: password
      secretKeyRef:
        name: rabbitmq-password
auth:
  secretStore: secretstore
`;

describeIfReachable(reachable.rabbitmq, `RabbitMQ at ${SERVERS.rabbitmq}`)(
  'secretKeyRef resolved from a local.file store into a real broker password',
  () => {
    holdServersDuringSuite();
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'secret-ref-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('when the secret holds the right password, then the component connects and publishing works', async () => {
      const file = path.join(dir, 'good.json');
      await writeFile(file, JSON.stringify({ 'rabbitmq-password': 'guest' }));
      const sidecar = await startTestSidecar(rabbitWithSecret(file), { appId: 'secret-app' });
      try {
        const res = await fetch(`${sidecar.url}/v1.0/publish/pubsub/secret-ref-check`, {
          method: 'POST',
          body: 'x',
        });
        expect(res.status).toBe(204);
      } finally {
        await sidecar.stop();
      }
    });

    it('when the secret holds a wrong password, then startup fails naming the component', async () => {
      const file = path.join(dir, 'bad.json');
      await writeFile(file, JSON.stringify({ 'rabbitmq-password': 'wrong' }));
      await expect(
        startTestSidecar(rabbitWithSecret(file), { appId: 'secret-app' }),
      ).rejects.toThrow(/component "pubsub" \(pubsub.rabbitmq\): cannot reach RabbitMQ/);
    });
  },
);
