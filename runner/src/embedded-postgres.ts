import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createLogger } from '@flock/kit';
import { PgliteWireServer } from './pglite/wire-server.js';

export interface EmbeddedPostgresOptions {
  /** Folder for the database files; omitted = in memory (gone when stopped). */
  dataDir?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface EmbeddedPostgres {
  host: string;
  port: number;
  connectionString: string;
  stop(): Promise<void>;
}

/** Embedded Postgres (PGlite) served over the wire protocol, in this process. */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const host = options.host ?? '127.0.0.1';
  // pg_trgm is loaded so the search service's fuzzy matching works on the embedded profile too.
  const db = await PGlite.create({ dataDir: options.dataDir, extensions: { pg_trgm } });
  const server = new PgliteWireServer(db, createLogger('embedded-postgres'));
  const port = await server.listen(options.port ?? 0, host);
  return {
    host,
    port,
    connectionString: connectionStringFor(host, port),
    async stop() {
      await server.close();
      await db.close();
    },
  };
}

/**
 * The same, in a child process: PGlite runs queries synchronously in WebAssembly, so in the
 * runner it gets its own event loop instead of stalling every sidecar's.
 */
export async function startEmbeddedPostgresProcess(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  // The compiled entry, whether this module runs from dist/ or (under jest) from src/.
  const entry = fileURLToPath(new URL('../dist/embedded-postgres-process.js', import.meta.url));
  const child = fork(entry, [JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ host: string; port: number }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { host: string; port: number }));
    child.once('exit', (code) => reject(new Error(`embedded postgres exited with code ${code}`)));
  });
  return {
    ...ready,
    connectionString: connectionStringFor(ready.host, ready.port),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function connectionStringFor(host: string, port: number): string {
  return `postgres://postgres@${host}:${port}/postgres?sslmode=disable`;
}
