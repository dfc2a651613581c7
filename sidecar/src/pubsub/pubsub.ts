/**
 * The contract every pub/sub broker implements. The broker moves opaque bytes (Dapr has already
 * built the CloudEvent); delivery to the app, retries and dead-lettering live in `delivery.ts`,
 * so a new broker (Redis Streams, RabbitMQ, JetStream, MQTT) is one file exporting a
 * `PubSubFactory` plus one line in `components/registry.ts`.
 */
export interface BrokerMessage {
  topic: string;
  data: Buffer;
  /** Publish metadata carried with the message (becomes HTTP headers on delivery). */
  metadata: Record<string, string>;
}

export interface SubscribeRequest {
  topic: string;
  /** Consumer group; Dapr's `consumerID`, which defaults to the app-id. */
  consumerId: string;
}

/**
 * Resolves when the message is handled (ack); rejects when the broker should apply its own
 * failure semantics (nack / redeliver / drop — broker-specific, documented per broker).
 */
export type MessageHandler = (msg: BrokerMessage) => Promise<void>;

export interface PubSub {
  /** Capability strings for the metadata API (e.g. `MESSAGE_TTL` when the broker expires messages itself). */
  readonly features: readonly string[];
  publish(msg: BrokerMessage): Promise<void>;
  /** Returns an unsubscribe function that resolves once the in-flight handler call has finished. */
  subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
