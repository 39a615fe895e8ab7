/** How a demo host behaves towards fleetwatch's SSH client. */
export type HostRole =
  /** logs in the demo's key and runs the probe */
  | "healthy"
  /** a working SSH server that does not accept the demo's key */
  | "unauthorized-key"
  /** serves a different host key from the one known_hosts holds for it */
  | "changed-host-key"
  /** nothing listens on its port: connection refused */
  | "nothing-listening"
  /** accepts TCP and never sends an SSH banner */
  | "no-banner";

export interface Endpoint {
  address: string;
  port: number;
}

/** The demo's SSH hosts, however they are served. */
export interface DemoLab {
  /** One sentence on what serves the hosts, for the demo to print. */
  description: string;
  /** The login user, the client key file and the known_hosts file for the fleet file. */
  user: string;
  clientKey: string;
  knownHosts: string;
  /** Where its keys and files live (removed by close). */
  dir: string;
  /** One per requested role, in the same order. */
  endpoints: Endpoint[];
  close(): Promise<void>;
}
