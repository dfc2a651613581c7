/** The container entry point (`node dist/index.js`): bootstrap only. */
import { runFromEnv } from './run.js';

await runFromEnv();
