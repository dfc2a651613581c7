/**
 * The live stream, measured (a benchmark, not a test). In one run:
 *  1. memory per open SSE stream: the service's RSS and heap (after GC) before and after opening
 *     1,000 streams to one instance, divided by 1,000;
 *  2. delivery latency, `follow.created` published → the SSE event received by the followee's open
 *     stream, p50/p99 over 500 notifications (after 50 warm-up), published at a steady rate.
 * The service and its sidecar run in a child process, so the clients' memory is not counted.
 * Run after a build: node load-tests/dist/bench/sse.js [--streams 1000] [--notifications 500] [--rate 50]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger, loadConfig } from '@flock/kit';
import { notificationsConfigSchema } from '@flock/notifications/config';
import { buildService as buildNotificationsService } from '@flock/notifications/service';
import { freePort } from '@flock/runner';
import { componentYaml, parseComponents, startSidecar } from '@flock/sidecar';
import { summarize } from './stats.js';

const { values } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    streams: { type: 'string', default: '1000' },
    notifications: { type: 'string', default: '500' },
    rate: { type: 'string', default: '50' },
  },
});
const out = (line: string) => process.stdout.write(`${line}\n`);

interface Ready {
  kind: 'ready';
  sidecarUrl: string;
  serviceUrl: string;
}
interface Memory {
  kind: 'memory';
  rss: number;
  heapUsed: number;
  streams: number;
}

const COMPONENTS = [
  componentYaml('notifications-store', 'state.in-memory'),
  componentYaml('pubsub', 'pubsub.in-memory'),
  componentYaml('broadcast', 'pubsub.in-memory', { consumerID: '{uuid}' }),
].join('---\n');

/** The child: one notifications instance behind its sidecar; answers memory probes over IPC. */
async function serveOnFreePort(): Promise<void> {
  const port = await freePort();
  const sidecar = await startSidecar({
    appId: 'notifications',
    app: { host: '127.0.0.1', port },
    httpPort: 0,
    components: parseComponents(COMPONENTS, 'bench.yaml'),
    logLevel: 'silent',
  });
  const config = loadConfig(notificationsConfigSchema, {
    APP_ID: 'notifications',
    APP_PORT: String(port),
    APP_HOST: '127.0.0.1',
    DAPR_HTTP_PORT: String(sidecar.port),
    LOG_LEVEL: 'silent',
  });
  const service = buildNotificationsService(config, {
    logger: createLogger('notifications', 'silent'),
  });
  const running = await service.start();
  await sidecar.connectApp();
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (message: { kind: string }) => {
    if (message.kind === 'memory') {
      gc?.();
      gc?.();
      const usage = process.memoryUsage();
      process.send!({
        kind: 'memory',
        rss: usage.rss,
        heapUsed: usage.heapUsed,
        streams: service.hub.size,
      } satisfies Memory);
    } else if (message.kind === 'stop') {
      void running
        .stop()
        .then(() => sidecar.stop())
        .then(() => process.exit(0));
    }
  });
  process.send!({
    kind: 'ready',
    sidecarUrl: sidecar.url,
    serviceUrl: running.url,
  } satisfies Ready);
}

/** A raw SSE reader on node's http client: calls `onEvent` with each `data:` payload. */
function openStream(
  serviceUrl: string,
  userId: string,
  onEvent: (data: string) => void,
): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${serviceUrl}/notifications/stream`,
      { agent: false, headers: { 'x-flock-user-id': userId, 'x-flock-username': 'bench' } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream: ${res.statusCode}`));
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (data) onEvent(data.slice(6));
          }
        });
        resolve(req);
      },
    );
    req.on('error', reject);
  });
}

function ask<T>(child: ChildProcess, kind: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (message) => resolve(message as T));
    child.send({ kind });
  });
}

async function main(): Promise<void> {
  const streamCount = Number(values.streams);
  const total = Number(values.notifications);
  const warmup = 50;
  const intervalMs = 1000 / Number(values.rate);
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // The child's service also reports its port over IPC (as it does to the runner): wait for ours.
  const ready = await new Promise<Ready>((resolve) => {
    const onMessage = (m: { kind?: string }) => {
      if (m.kind !== 'ready') return;
      child.off('message', onMessage);
      resolve(m as Ready);
    };
    child.on('message', onMessage);
  });

  // 1. Memory per stream.
  const before = await ask<Memory>(child, 'memory');
  const users = Array.from({ length: streamCount }, () => randomUUID());
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const received = new Map<string, number>(); // actorId → receive time
  const requests: http.ClientRequest[] = [];
  for (let i = 0; i < users.length; i += 50) {
    requests.push(
      ...(await Promise.all(
        users.slice(i, i + 50).map((userId) =>
          openStream(ready.serviceUrl, userId, (data) => {
            const now = performance.now();
            const { actorId } = JSON.parse(data) as { actorId: string };
            received.set(actorId, now);
            const sent = sentAt.get(actorId);
            if (sent !== undefined) latencies.push(now - sent);
          }),
        ),
      )),
    );
  }
  await new Promise((r) => setTimeout(r, 500));
  const after = await ask<Memory>(child, 'memory');
  if (after.streams !== streamCount)
    throw new Error(`${after.streams} streams open, not ${streamCount}`);

  // 2. Delivery latency with all those streams open: publish follow.created at a steady rate.
  const publish = async (followeeId: string, followerId: string) => {
    const response = await fetch(`${ready.sidecarUrl}/v1.0/publish/pubsub/follow.created`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ followerId, followeeId, at: new Date().toISOString() }),
    });
    if (response.status !== 204) throw new Error(`publish: ${response.status}`);
  };
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < warmup + total; i++) {
    const actor = randomUUID();
    const followee = users[i % Math.min(100, users.length)]!;
    if (i >= warmup) sentAt.set(actor, performance.now());
    inFlight.push(publish(followee, actor));
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  await Promise.all(inFlight);
  const deadline = Date.now() + 10_000;
  while (latencies.length < total && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));

  const summary = summarize(latencies);
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  out(
    `notifications SSE benchmark (node ${process.version}, in-memory components, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)})`,
  );
  out(
    `delivery latency, follow.created published → SSE received, ${summary.count}/${total} notifications at ${values.rate}/s, ${streamCount} streams open:`,
  );
  out(
    `  p50 ${summary.p50.toFixed(2)} ms   p99 ${summary.p99.toFixed(2)} ms   mean ${summary.mean.toFixed(2)} ms`,
  );
  out(`memory of the service process (after GC), 0 → ${after.streams} open streams:`);
  out(
    `  RSS  ${mb(before.rss)} → ${mb(after.rss)}: ${kb((after.rss - before.rss) / streamCount)} per stream`,
  );
  out(
    `  heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)}: ${kb((after.heapUsed - before.heapUsed) / streamCount)} per stream`,
  );
  const metrics = await (await fetch(`${ready.serviceUrl}/metrics`)).text();
  for (const topic of ['follow.created', 'notification.created']) {
    const of = (name: string) =>
      Number(
        new RegExp(`^${name}\\{[^}]*topic="${topic}"[^}]*\\} (\\S+)$`, 'm').exec(metrics)?.[1],
      );
    const mean =
      (of('event_handler_duration_seconds_sum') / of('event_handler_duration_seconds_count')) *
      1000;
    out(`  service handler time for ${topic}: mean ${mean.toFixed(2)} ms`);
  }
  for (const req of requests) req.destroy();
  await new Promise((r) => setTimeout(r, 300));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ kind: 'stop' });
  await exited;
}

if (values.serve) await serveOnFreePort();
else await main();
