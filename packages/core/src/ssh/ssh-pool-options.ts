/** Limits and deadlines of an `SshConnectionPool`. */
export interface SshPoolOptions {
  /**
   * Connections kept open at most; past it the least recently used idle one is closed, and
   * with none idle a check runs on a connection of its own. Each costs one file descriptor.
   * @defaultValue 10_000
   */
  maxConnections: number;
  /** A connection unused this long is closed. @defaultValue 300_000 (5 minutes) */
  idleTimeoutMs: number;
  /**
   * SSH keepalive on kept connections (a global request the server must answer), and TCP
   * keepalive at the same pace. @defaultValue 30_000
   */
  keepaliveIntervalMs: number;
  /** Unanswered keepalives before the connection counts as dead. @defaultValue 3 */
  keepaliveCountMax: number;
  /**
   * Deadline for a kept connection to open a channel; past it the connection is taken for
   * dead and the check moves to a fresh one (the probe had not started). @defaultValue 5_000
   */
  channelOpenTimeoutMs: number;
  /**
   * Checks run at once on one kept connection, each on its own channel; more wait for a
   * free one within their deadline. OpenSSH's sshd opens at most `MaxSessions` (default 10)
   * sessions per connection and refuses the rest. @defaultValue 10
   */
  maxChannelsPerConnection: number;
}

export const SSH_POOL_DEFAULTS: SshPoolOptions = {
  maxConnections: 10_000,
  idleTimeoutMs: 300_000,
  keepaliveIntervalMs: 30_000,
  keepaliveCountMax: 3,
  channelOpenTimeoutMs: 5_000,
  maxChannelsPerConnection: 10,
};
