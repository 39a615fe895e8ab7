/**
 * The dashboard's history, per host, is a fixed-size ring: the newest `HISTORY_RING_SIZE`
 * results (6 hours at the default 1-minute interval). Its stated budget, checked by a test
 * against Redis's own `MEMORY USAGE`, is `HISTORY_BYTES_PER_HOST`.
 */
export const HISTORY_RING_SIZE = 360;
export const HISTORY_BYTES_PER_HOST = 16 * 1024;

/** A ring gets no new entry for this many intervals (the host left the fleet): it expires. */
export const HISTORY_KEEP_INTERVALS = HISTORY_RING_SIZE;

/**
 * The alert timeline: the newest `TIMELINE_EVENTS_PER_HOST` events per host, and the newest
 * `TIMELINE_EVENTS_FLEET` of the whole fleet. Event messages are cut to
 * `TIMELINE_MESSAGE_CHARS`; budget per host `TIMELINE_BYTES_PER_HOST`.
 */
export const TIMELINE_EVENTS_PER_HOST = 100;
export const TIMELINE_EVENTS_FLEET = 1_000;
export const TIMELINE_MESSAGE_CHARS = 160;
export const TIMELINE_BYTES_PER_HOST = 32 * 1024;
/** A host's timeline lives this long after its last event. */
export const TIMELINE_KEEP_MS = 30 * 86_400_000;

/** History and timeline of a host removed from the fleet are kept this long, then expire. */
export const REMOVED_HOST_KEEP_MS = 86_400_000;
