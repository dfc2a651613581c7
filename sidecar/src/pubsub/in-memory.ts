import type { BrokerMessage, MessageHandler, PubSub, SubscribeRequest } from './pubsub.js';
import type { Logger } from '@flock/kit';

/**
 * `pubsub.in-memory`. Deliberate difference from daprd (where each sidecar has its own private
 * bus): every `pubsub.in-memory` component with the same name **in one Node process** shares one
 * broker, so the runner's sidecars can exchange events. Each consumer group (= app-id) gets every
 * message; within a group the message goes to one subscriber (round robin across replicas), one
 * message at a time, without blocking other groups. Messages are not persisted, and a message
 * published before any group subscribed to its topic is lost (as with daprd).
 */
const brokers = new Map<string, Broker>();

export function connectInMemoryPubSub(name: string, logger: Logger): PubSub {
  let broker = brokers.get(name);
  if (!broker) {
    broker = new Broker();
    brokers.set(name, broker);
  }
  return new InMemoryPubSub(broker, logger);
}

class Group {
  readonly queue: BrokerMessage[] = [];
  readonly handlers: MessageHandler[] = [];
  private next = 0;
  /** The delivery each handler is working on, awaited when it unsubscribes. */
  readonly inFlight = new Map<MessageHandler, Promise<void>>();
  draining = false;

  pick(): MessageHandler | undefined {
    if (this.handlers.length === 0) return undefined;
    this.next = (this.next + 1) % this.handlers.length;
    return this.handlers[this.next];
  }
}

class Broker {
  /** topic → consumer group → group */
  readonly topics = new Map<string, Map<string, Group>>();

  group(topic: string, consumerId: string): Group {
    let groups = this.topics.get(topic);
    if (!groups) this.topics.set(topic, (groups = new Map()));
    let group = groups.get(consumerId);
    if (!group) groups.set(consumerId, (group = new Group()));
    return group;
  }
}

class InMemoryPubSub implements PubSub {
  readonly features = [] as const;
  private readonly mine: Array<{ group: Group; handler: MessageHandler }> = [];

  constructor(
    private readonly broker: Broker,
    private readonly logger: Logger,
  ) {}

  async publish(msg: BrokerMessage): Promise<void> {
    for (const group of this.broker.topics.get(msg.topic)?.values() ?? []) {
      if (group.handlers.length === 0) continue;
      group.queue.push(msg);
      this.drain(group);
    }
  }

  async subscribe(req: SubscribeRequest, handler: MessageHandler): Promise<() => Promise<void>> {
    const group = this.broker.group(req.topic, req.consumerId);
    group.handlers.push(handler);
    const entry = { group, handler };
    this.mine.push(entry);
    return () => this.detach(entry);
  }

  async close(): Promise<void> {
    await Promise.all([...this.mine].map((entry) => this.detach(entry)));
  }

  /** Resolves once the group's in-flight delivery has finished. */
  private async detach(entry: { group: Group; handler: MessageHandler }): Promise<void> {
    const { group, handler } = entry;
    const i = group.handlers.indexOf(handler);
    if (i >= 0) group.handlers.splice(i, 1);
    const j = this.mine.indexOf(entry);
    if (j >= 0) this.mine.splice(j, 1);
    // A group without subscribers keeps no backlog, as daprd's in-memory bus.
    if (group.handlers.length === 0) group.queue.length = 0;
    await group.inFlight.get(handler);
  }

  private drain(group: Group): void {
    if (group.draining) return;
    group.draining = true;
    void (async () => {
      for (let msg = group.queue.shift(); msg; msg = group.queue.shift()) {
        const handler = group.pick();
        if (!handler) break;
        const topic = msg.topic;
        // A failure after delivery retries is final for this broker: the message is dropped.
        const done = handler(msg).catch((err: unknown) =>
          this.logger.warn(
            { err, topic },
            'in-memory pubsub: message dropped after a failed delivery',
          ),
        );
        group.inFlight.set(handler, done);
        await done;
        group.inFlight.delete(handler);
      }
      group.draining = false;
    })();
  }
}
