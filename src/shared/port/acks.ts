import { ACK_EVERY } from './protocol';

/**
 * The client half of subscription flow control (protocol.ts): counts data messages handed to
 * their owner per wire id and posts one ack per `every` of them. A remainder below `every` is
 * acknowledged after `idleMs` by a single timer for the whole connection, so the server's
 * count drops to zero when a burst ends without an ack per message in the meantime.
 */

/** How long a remainder may wait (the window never depends on it while every < window). */
export const IDLE_ACK_MS = 20;

export class AckBatcher<K> {
  private readonly owed = new Map<K, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly post: (key: K, count: number) => void,
    private readonly every = ACK_EVERY,
    private readonly idleMs = IDLE_ACK_MS,
  ) {}

  /** Keys owing an ack (for leak checks). */
  get size(): number {
    return this.owed.size;
  }

  /** One more data message of `key` was handed to its owner. */
  received(key: K): void {
    const count = (this.owed.get(key) ?? 0) + 1;
    if (count >= this.every) {
      this.owed.delete(key);
      this.post(key, count);
      return;
    }
    this.owed.set(key, count);
    this.timer ??= setTimeout(() => this.flush(), this.idleMs);
  }

  /** The subscription ended, was stopped or re-sent under a new id: nothing is owed any more. */
  forget(key: K): void {
    this.owed.delete(key);
  }

  clear(): void {
    this.owed.clear();
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const owed = [...this.owed];
    this.owed.clear();
    for (const [key, count] of owed) this.post(key, count);
  }
}
