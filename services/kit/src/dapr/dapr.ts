import { CommunicationProtocolEnum, DaprClient, HttpMethod, LogLevel } from '@dapr/dapr';
import type { z } from 'zod';
import type { BaseConfig } from '../config.js';
import { AppError } from '../errors.js';
import type { ReadinessCheck } from '../http/health.js';
import type { Logger } from '../logger.js';
import { PUBSUB, SECRET_STORE } from '../names.js';
import type { DomainEvent } from '../events.js';
import { parseSidecarFailure, sidecarError } from './errors.js';
import { Outbox } from './outbox.js';
import { StateStore } from './state.js';

export interface InvokeOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The service's handle on its sidecar: typed state, publish, invoke and secrets over the official
 * SDK, with failures always thrown. `forward` is the one raw-HTTP path: the gateway proxies whole
 * responses, and the SDK's invoke drops response headers and non-2xx bodies.
 */
export class Dapr {
  readonly client: DaprClient;
  private readonly baseUrl: string;

  constructor(
    private readonly config: BaseConfig,
    logger: Logger,
  ) {
    const sdkLog = logger.child({ component: 'dapr-sdk' });
    this.baseUrl = `http://${config.DAPR_HOST}:${config.DAPR_HTTP_PORT}`;
    this.client = new DaprClient({
      daprHost: config.DAPR_HOST,
      daprPort: String(config.DAPR_HTTP_PORT),
      communicationProtocol: CommunicationProtocolEnum.HTTP,
      ...(config.DAPR_API_TOKEN ? { daprApiToken: config.DAPR_API_TOKEN } : {}),
      logger: {
        level: LogLevel.Warn,
        // The kit reports failures itself; the SDK's own error lines would duplicate them.
        service: {
          error: (message: unknown) => sdkLog.debug(String(message)),
          warn: (message: unknown) => sdkLog.warn(String(message)),
          info: (message: unknown) => sdkLog.info(String(message)),
          verbose: (message: unknown) => sdkLog.debug(String(message)),
          debug: (message: unknown) => sdkLog.debug(String(message)),
        },
      },
    });
  }

  state(storeName: string): StateStore {
    return new StateStore(this.client, storeName);
  }

  /** Publishes a domain event; its id becomes the CloudEvent id consumers dedupe by. */
  publish(event: DomainEvent): Promise<void> {
    return this.publishTo(PUBSUB, event.topic, event.data, event.id);
  }

  /** Publishes any message on any pub/sub component (e.g. the broadcast one), with its id. */
  async publishTo(pubsubName: string, topic: string, data: object, id: string): Promise<void> {
    const result = await this.client.pubsub.publish(pubsubName, topic, data, {
      metadata: { 'cloudevent.id': id },
    });
    if (result.error) throw sidecarError(`Publishing ${topic}`, result.error);
  }

  /** The service's store with its outbox: writes and the events they imply commit together. */
  outbox(store: StateStore, logger: Logger): Outbox {
    return new Outbox(store, (event) => this.publish(event), logger);
  }

  /**
   * Calls another service and returns its answer checked against the callee's own schema (each
   * service's `client/` declares them): a body that breaks it is the callee's fault, a 502, not a
   * ZodError that would read as our caller's 400. A 4xx answer is re-thrown as an AppError with
   * the callee's status and detail, so "not found" downstream stays "not found" here.
   */
  async invoke<S extends z.ZodType>(
    appId: string,
    method: string,
    answer: S,
    options: InvokeOptions = {},
  ): Promise<z.output<S>> {
    const checked = answer.safeParse(await this.send(appId, method, options));
    if (checked.success) return checked.data;
    throw new AppError(
      'dependency-failed',
      `${appId} answered ${method} with a body its contract does not allow.`,
      502,
      { cause: checked.error },
    );
  }

  /** The callee's JSON, unchecked; a failed call thrown as an AppError. */
  private async send(appId: string, method: string, options: InvokeOptions): Promise<unknown> {
    try {
      return await this.client.invoker.invoke(
        appId,
        method,
        (options.method ?? 'GET') as HttpMethod,
        options.body as object,
        options.headers ? { headers: options.headers } : {},
      );
    } catch (error) {
      const failure = parseSidecarFailure(error);
      if (failure && failure.status >= 400 && failure.status < 500) {
        throw new AppError(problemName(failure.body), problemDetail(failure.body), failure.status, {
          cause: error,
        });
      }
      throw sidecarError(`Calling ${appId}`, error);
    }
  }

  /** Proxies a request to `appId` through the sidecar, returning the callee's response untouched. */
  forward(appId: string, pathAndQuery: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.config.DAPR_API_TOKEN) headers.set('dapr-api-token', this.config.DAPR_API_TOKEN);
    return fetch(`${this.baseUrl}/v1.0/invoke/${appId}/method${pathAndQuery}`, {
      ...init,
      headers,
      redirect: 'manual',
    });
  }

  async secret(name: string, store = SECRET_STORE): Promise<Record<string, string>> {
    try {
      return (await this.client.secret.get(store, name)) as Record<string, string>;
    } catch (error) {
      throw sidecarError(`Reading secret ${name}`, error);
    }
  }

  /**
   * A secret a service cannot start without, stored under a key of its own name (every SECRETS
   * entry is); an empty one fails the start like a missing one.
   */
  async requiredSecret(name: string): Promise<string> {
    const value = (await this.secret(name))[name];
    if (!value) throw new Error(`secret ${name} is empty`);
    return value;
  }

  /** Ready when the sidecar answers its health endpoint. */
  readonly readiness: ReadinessCheck = {
    name: 'dapr-sidecar',
    check: async () => {
      const response = await fetch(`${this.baseUrl}/v1.0/healthz`);
      if (response.status !== 204) throw new Error(`sidecar health answered ${response.status}`);
    },
  };

  async close(): Promise<void> {
    await this.client.stop();
  }
}

function problemName(body: string): string {
  try {
    const type = (JSON.parse(body) as { type?: unknown }).type;
    if (typeof type === 'string') return type.split('/').pop() ?? 'upstream-error';
  } catch {
    // not problem+json
  }
  return 'upstream-error';
}

function problemDetail(body: string): string {
  try {
    const detail = (JSON.parse(body) as { detail?: unknown }).detail;
    if (typeof detail === 'string') return detail;
  } catch {
    // not problem+json
  }
  return 'The request was refused by a downstream service.';
}
