import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { CloseCode, type ConnectedFrame } from '../client/protocol.js';
import { withPosition } from './frames.js';
import type { Appended, Replay } from './types.js';

/** What a connection needs from its endpoint. */
export interface ConnectionLimits {
  /** Unsent bytes past which the client is a slow consumer. */
  readonly maxBufferedBytes: number;
  /** Live events held while a connection replays; more and the client is a slow consumer. */
  readonly maxPending: number;
}

/** How long a closing socket may take to read what it was sent before it is cut. */
const CLOSE_GRACE_MS = 5000;

/** The largest close reason a WebSocket close frame can carry. */
const MAX_REASON_BYTES = 123;

/** Cuts a close reason to what a close frame can carry, on a character boundary. */
export function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > MAX_REASON_BYTES) reason = reason.slice(0, -1);
  return reason;
}

/**
 * Closes a socket with a code and a reason the client can read, and cuts it if it does not
 * finish closing in time (a client that stopped reading never answers the close frame).
 */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === ws.CLOSED) return;
  if (ws.readyState === ws.OPEN) ws.close(code, closeReason(reason));
  setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
}

/**
 * One device's socket: it first replays what the client missed (or says where the stream stands),
 * holding the live events that arrive meanwhile, then sends live events in offset order. A gap,
 * another epoch or a client that reads too slowly closes it; the client resumes from its offset.
 */
export class Connection {
  /** Answered the last heartbeat. */
  alive = true;
  private epoch = '';
  private sent = 0;
  private pending: Appended[] | undefined = [];
  /** Frames of this turn are being gathered into one write. */
  private corked = false;

  /**
   * `detach` takes the connection out of its endpoint and out of presence; it is called once, as
   * soon as the connection starts closing (a socket that is closing is no longer online).
   */
  constructor(
    readonly id: string,
    readonly key: string,
    readonly ws: WebSocket,
    /** The socket under `ws`, as the upgrade handed it over. */
    private readonly socket: Duplex,
    private readonly limits: ConnectionLimits,
    private readonly detach: () => void,
  ) {}

  /**
   * Sends the Connected frame and what the replay found; the live events held meanwhile follow once
   * the replay has left this process (so a long replay is never mistaken for a slow consumer).
   */
  start(replay: Replay, resumeAsked: boolean): void {
    const { epoch, offset } = replay.position;
    this.epoch = epoch;
    this.sent = offset;
    const connected: ConnectedFrame = { Event: 'Stream.Connected', Epoch: epoch, Offset: offset, Recovered: replay.kind === 'ok' && resumeAsked, Resync: replay.kind === 'resync' && resumeAsked };
    this.ws.send(JSON.stringify(connected));
    const bodies = replay.kind === 'ok' ? replay.bodies : [];
    if (bodies.length === 0) return this.release();
    const first = offset - bodies.length + 1;
    bodies.forEach((body, i) => this.ws.send(withPosition(body, first + i, epoch), i === bodies.length - 1 ? () => this.release() : undefined));
  }

  private release(): void {
    const held = this.pending ?? [];
    this.pending = undefined;
    for (const event of held) this.deliver(event);
  }

  /** A live event of this connection's user. */
  deliver(event: Appended): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.pending !== undefined) {
      if (this.pending.length >= this.limits.maxPending) this.close(CloseCode.SlowConsumer, 'slow consumer: too many events arrived while the missed ones were sent; reconnect and resume');
      else this.pending.push(event);
      return;
    }
    if (event.epoch !== this.epoch) return this.close(CloseCode.Interrupted, 'the stream was started again (new epoch); reconnect and resume');
    if (event.offset <= this.sent) return; // already replayed
    if (event.offset > this.sent + 1) return this.close(CloseCode.Interrupted, `events after offset ${this.sent} were missed on this node; reconnect and resume`);
    this.sent = event.offset;
    this.gatherTurn();
    this.ws.send(withPosition(event.body, event.offset, event.epoch));
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(CloseCode.SlowConsumer, `slow consumer: more than ${this.limits.maxBufferedBytes} bytes unread; reconnect and resume`);
    }
  }

  /**
   * Holds this turn's frames back and writes them together at its end, as Node's HTTP server does
   * with a response: a busy user gets one write (one system call) per turn, not one per event.
   */
  private gatherTurn(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  close(code: number, reason: string): void {
    this.detach();
    closeSocket(this.ws, code, reason);
  }
}
