import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The real servers on loopback the backend suites use. */
export const SERVERS = {
  postgres: 'postgres://postgres@127.0.0.1:5432/test',
  redis: '127.0.0.1:6379',
  rabbitmq: 'amqp://guest:guest@127.0.0.1:5672',
  nats: 'nats://127.0.0.1:4222',
  mqtt: 'mqtt://127.0.0.1:1883',
} as const;

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const reachable = {
  redis: await portOpen(6379),
  rabbitmq: await portOpen(5672),
  nats: await portOpen(4222),
  mqtt: await portOpen(1883),
};

async function waitForPort(port: number, up: boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await portOpen(port)) !== up) {
    if (Date.now() > deadline) throw new Error(`port ${port} did not go ${up ? 'up' : 'down'}`);
    await sleep(50);
  }
}

/**
 * Restarts Redis. `shutdown save` writes the dataset (streams, consumer groups, pending entries)
 * to dump.rdb, which the new server loads: the restart of a Redis with persistence. The file is
 * removed once loaded so later restarts start empty again.
 */
export async function restartRedis(downMs = 1000): Promise<void> {
  await run('redis-cli', ['-p', '6379', 'shutdown', 'save']).catch(() => undefined);
  await waitForPort(6379, false);
  await sleep(downMs);
  await startRedis();
  await run('rm', ['-f', '/var/lib/redis/dump.rdb']);
}

export async function startRedis(): Promise<void> {
  if (await portOpen(6379)) return;
  await run('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1 -::1',
    '--port',
    '6379',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    '/var/lib/redis',
    '--logfile',
    '/var/log/redis/ci.log',
  ]);
  await waitForPort(6379, true);
  // Loading the dump: wait until Redis answers commands.
  for (let i = 0; i < 100; i++) {
    const { stdout } = await run('redis-cli', ['-p', '6379', 'ping']).catch(() => ({ stdout: '' }));
    if (stdout.trim() === 'PONG') return;
    await sleep(50);
  }
}

/** stop_app/start_app: connections dropped, durable queues and persistent messages kept. */
export async function restartRabbitMq(downMs = 1000): Promise<void> {
  await run('rabbitmqctl', ['stop_app']);
  await sleep(downMs);
  await startRabbitMq();
}

export async function startRabbitMq(): Promise<void> {
  await run('rabbitmqctl', ['start_app']);
  await waitForPort(5672, true);
}

const LOCK = '/tmp/flock-sidecar-tests-redis-rabbitmq.lock';

/**
 * The fault tests restart Redis and RabbitMQ; suites on other jest workers using those servers
 * would see the restart. Every suite touching them holds this cross-process lock (a directory
 * holding the owner's pid; a dead owner's lock is taken over) from beforeAll to afterAll.
 */
export async function lockServers(): Promise<() => Promise<void>> {
  for (;;) {
    try {
      await mkdir(LOCK);
      await writeFile(`${LOCK}/pid`, String(process.pid));
      return () => rm(LOCK, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(await readFile(`${LOCK}/pid`, 'utf8').catch(() => '0'));
      if (owner > 0 && owner !== process.pid && !alive(owner))
        await rm(LOCK, { recursive: true, force: true });
      else await sleep(200);
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** beforeAll/afterAll hooks holding the lock (a long wait: the fault tests take a while). */
export function holdServersDuringSuite(): void {
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    release = await lockServers();
  }, 600_000);
  afterAll(async () => {
    await release?.();
  });
}
