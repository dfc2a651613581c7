import { startEmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded-postgres.js';

// Child-process entry of startEmbeddedPostgresProcess(): report the address, stop on SIGTERM
// (closing PGlite flushes its files, so the data folder survives restarts).
const options = JSON.parse(process.argv[2] ?? '{}') as EmbeddedPostgresOptions;
const postgres = await startEmbeddedPostgres(options);
process.send?.({ host: postgres.host, port: postgres.port });
const stop = () => void postgres.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);
