import { CommunicationProtocolEnum, DaprClient, LogLevel } from '@dapr/dapr';
import {
  parseComponents,
  startSidecar,
  type Sidecar,
  type SidecarOptions,
} from '../../src/index.js';

export function startTestSidecar(
  yaml: string,
  opts: Partial<SidecarOptions> & { appId: string },
): Promise<Sidecar> {
  return startSidecar({
    httpPort: 0,
    components: parseComponents(yaml, 'test-components.yaml'),
    logLevel: process.env.SIDECAR_LOG ?? 'silent',
    ...opts,
  });
}

/** The official SDK pointed at a sidecar over HTTP. */
export function sdkClient(sidecar: Pick<Sidecar, 'port'>, daprApiToken?: string): DaprClient {
  return new DaprClient({
    daprHost: '127.0.0.1',
    daprPort: String(sidecar.port),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    logger: { level: LogLevel.Error },
    ...(daprApiToken ? { daprApiToken } : {}),
  });
}
