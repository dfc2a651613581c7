import {
  createLogger,
  loadConfig,
  type Logger,
  type RunningService,
  type Service,
} from '@flock/kit';
import {
  startSidecar,
  type AppAddress,
  type ComponentDefinition,
  type Sidecar,
} from '@flock/sidecar';
import { freePort } from '@flock/runner';
import type { z } from 'zod';
import { testComponents } from './sidecar-harness.js';

export interface ServiceUnderTestOptions<S extends z.ZodObject, B extends Service> {
  appId: string;
  /** The service's own `<name>ConfigSchema`: the test's settings pass the same validation. */
  configSchema: S;
  /** The service's `buildService`, with whatever stand-ins the test adds to `deps`. */
  build: (config: Readonly<z.infer<S>>, deps: { logger: Logger }) => B | Promise<B>;
  /** Default: `testComponents('<appId>-store')` (in-memory state and brokers). */
  components?: ComponentDefinition[];
  /** Settings beyond the addresses (limits, intervals). */
  env?: Record<string, string>;
  /** The apps it invokes, by app-id: edge stubs or other services under test. */
  apps?: Record<string, number>;
}

export interface ServiceUnderTest<B extends Service> {
  readonly url: string;
  readonly port: number;
  readonly sidecar: Sidecar;
  /** What `build` returned (a service may expose more than its HTTP app, e.g. its stream hub). */
  readonly built: B;
  readonly running: RunningService;
  stop(): Promise<void>;
}

/**
 * One service on a free port behind a real in-process sidecar, started as index.ts starts it:
 * its config schema, its buildService, then the sidecar connects and subscribes.
 */
export async function startServiceUnderTest<S extends z.ZodObject, B extends Service>(
  options: ServiceUnderTestOptions<S, B>,
): Promise<ServiceUnderTest<B>> {
  const { appId } = options;
  const port = await freePort();
  const address = (id: string): AppAddress | undefined => {
    const other = options.apps?.[id];
    return other === undefined ? undefined : { host: '127.0.0.1', port: other };
  };
  const sidecar = await startSidecar({
    appId,
    app: { host: '127.0.0.1', port },
    httpPort: 0,
    components: options.components ?? testComponents(`${appId}-store`),
    logLevel: 'silent',
    resolveApp: address,
  });
  try {
    const config = loadConfig(options.configSchema, {
      ...options.env,
      APP_ID: appId,
      APP_PORT: String(port),
      APP_HOST: '127.0.0.1',
      DAPR_HTTP_PORT: String(sidecar.port),
      LOG_LEVEL: 'silent',
    });
    const built = await options.build(config, { logger: createLogger(appId, 'silent') });
    const running = await built.start();
    await sidecar.connectApp();
    return {
      url: running.url,
      port,
      sidecar,
      built,
      running,
      async stop() {
        await running.stop();
        await sidecar.stop();
      },
    };
  } catch (error) {
    await sidecar.stop();
    throw error;
  }
}
