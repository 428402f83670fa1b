/**
 * The user event stream's two capabilities, each in process (one node) and on Redis (a cluster):
 * a resumable stream per user (UserStreams) and the registry of who is connected where (Presence).
 * A user is named by its stream key, `${sdkappid}:${userId}`.
 */

/** The stream key of a user of an app. */
export function streamKey(app: number, user: string): string {
  return `${app}:${user}`;
}

/** The app and user of a stream key (a UserID may itself contain ':'). */
export function splitKey(key: string): { app: number; user: string } {
  const at = key.indexOf(':');
  return { app: Number(key.slice(0, at)), user: key.slice(at + 1) };
}

/** An event added to a user's stream, as every node hears of it. */
export interface Appended {
  readonly key: string;
  readonly offset: number;
  readonly epoch: string;
  /** The frame's JSON without its Offset and Epoch (frames.ts adds them per connection). */
  readonly body: string;
}

/** Where a stream stands: its epoch and the offset of its newest event (0: none yet). */
export interface Position {
  readonly epoch: string;
  readonly offset: number;
}

/** What a resuming client missed, or that it must read history instead. */
export type Replay =
  | { readonly kind: 'ok'; readonly position: Position; readonly bodies: readonly string[] }
  | { readonly kind: 'resync'; readonly position: Position };

/**
 * One resumable stream per user, the model of Centrifugo's history: every event gets the next
 * offset of its user's stream, streams are named by an epoch that changes whenever one is lost,
 * and the newest `retainCount` events no older than `retainSeconds` can be read again.
 */
export interface UserStreams {
  /**
   * Adds an event to a user's stream; every node's listener then hears it with its offset. Never
   * awaited and never throws: a failure is logged, and the stream's epoch changes once the store
   * is back, so that clients resync rather than miss an event silently.
   */
  append(key: string, body: string): void;
  /** The stream's position, starting it (a new epoch) when there is none; keeps it alive. */
  position(key: string): Promise<Position>;
  /** The events after `offset` of epoch `epoch`, or resync when they are not all kept. */
  since(key: string, epoch: string, offset: number): Promise<Replay>;
  /**
   * Hears every event appended on any node, in offset order per stream. `interrupted` is called
   * when events may have been missed: of one stream (`key`: an event could not be added), or of
   * all (the live feed was cut); their connections must then resume.
   */
  listen(listener: (event: Appended) => void, interrupted: (key?: string) => void): () => void;
  close(): Promise<void>;
}

/** One connected device of a user. */
export interface Device {
  /** As query_online_status's Detail reports it: iPhone, Android, Web, PC, iPad, Mac, … */
  readonly platform: string;
  /** Milliseconds. */
  readonly connectedAt: number;
}

/**
 * Who is connected, on every node, and whose streams are kept: a user's events are added to its
 * stream only while it is connected somewhere or was within the retention time (so that it can
 * resume). `wants` and `wantsApp` are the cheap checks the publishing path makes per event.
 */
export interface Presence {
  /** Whether the user's stream is kept: a synchronous look-up in memory. */
  wants(key: string): boolean;
  /** Whether any user of the app has its stream kept: the first, cheapest check. */
  wantsApp(app: number): boolean;
  /** A device connected to this node; resolves once every node will add the user's events. */
  join(key: string, connection: string, device: Device): Promise<void>;
  /** A device of this node went away. */
  leave(key: string, connection: string): void;
  /** The connected devices of each user named, on every node. */
  devices(app: number, users: readonly string[]): Promise<ReadonlyMap<string, readonly Device[]>>;
  /** Refuses the user's UserSigs generated up to `atSeconds` and closes its sockets on every node. */
  kick(key: string, atSeconds: number): Promise<void>;
  /** When the user was last kicked (UNIX seconds), if ever. */
  kickedAt(key: string): Promise<number | undefined>;
  /** Hears kicks, on every node. */
  onKick(listener: (key: string) => void): () => void;
  close(): Promise<void>;
}

/** What the event stream needs: the streams and presence of the deployment. */
export interface Realtime {
  readonly streams: UserStreams;
  readonly presence: Presence;
}
