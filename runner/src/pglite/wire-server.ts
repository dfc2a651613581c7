import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import type { Logger } from '@flock/kit';
import { splitMessages, isUnitBoundary, type FrontendMessage } from './wire-protocol.js';

/**
 * A Postgres wire-protocol server in front of one PGlite instance, for many clients at once.
 *
 * PGlite is a single session. pglite-socket's own multiplexer interleaves clients message by
 * message, so one client's Bind can land on another client's unnamed Parse (we saw `pg` pools
 * get each other's rows). Here a client owns the session for a whole unit of work: a simple
 * Query, or an extended-protocol batch up to its Sync, and for as long as it holds an open
 * transaction. Everyone else waits their turn.
 *
 * Caveat (documented for users): a client that opens a transaction and then waits on a second
 * connection to the same server deadlocks, as it would with a single real Postgres connection.
 */
export class PgliteWireServer {
  private readonly server: net.Server;
  private owner: Connection | undefined;
  private readonly waiters: Array<() => void> = [];
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly db: PGlite,
    private readonly log: Logger,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.socket.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const connection = new Connection(socket);
    this.connections.add(connection);
    let pending: Buffer = Buffer.alloc(0);
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      const split = splitMessages(Buffer.concat([pending, chunk]), connection.started);
      pending = split.rest;
      for (const message of split.messages) {
        if (message.kind === 'startup') connection.started = true;
        // Messages of one client run strictly in order; clients run one unit at a time.
        chain = chain.then(() => this.handle(connection, message));
      }
    });
    socket.on('error', (error) => this.log.debug({ err: error }, 'client socket error'));
    socket.on('close', () => {
      this.connections.delete(connection);
      chain = chain.then(() => this.abandon(connection));
    });
  }

  private async handle(connection: Connection, message: FrontendMessage): Promise<void> {
    if (connection.closed) return;
    switch (message.kind) {
      case 'ssl-request':
        connection.socket.write('N'); // no TLS on loopback; clients fall back to plain
        return;
      case 'cancel':
        return; // PGlite cannot interrupt a running statement
      case 'terminate':
        connection.socket.end();
        return;
    }
    await this.acquire(connection);
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(message.bytes, {
          onRawData: (data) => {
            if (!connection.closed) connection.socket.write(data);
          },
        }),
      );
    } catch (error) {
      this.log.error({ err: error }, 'embedded postgres failed a protocol message; closing client');
      connection.socket.destroy();
    }
    if (isUnitBoundary(message) && !this.db.isInTransaction()) this.release(connection);
  }

  /** A client that went away mid-transaction must not leave the shared session inside it. */
  private async abandon(connection: Connection): Promise<void> {
    connection.closed = true;
    if (this.owner !== connection) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.release(connection);
  }

  private async acquire(connection: Connection): Promise<void> {
    while (this.owner !== undefined && this.owner !== connection) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.owner = connection;
  }

  private release(connection: Connection): void {
    if (this.owner !== connection) return;
    this.owner = undefined;
    this.waiters.shift()?.();
  }
}

class Connection {
  started = false;
  closed = false;
  constructor(readonly socket: net.Socket) {}
}
