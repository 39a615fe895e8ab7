import type { ParsedKey } from "ssh2";
import type { Failure } from "../result/outcome.js";
import type { Result } from "../util/result.js";
import type { HostKeyCheck } from "./host-key-check.js";

/** Where and how to log in to one host, with each stage's deadline. */
export interface SshTarget {
  address: string;
  port: number;
  user: string;
  key: ParsedKey;
  /**
   * A fresh check for each attempt (it remembers what it refused), made before connecting:
   * a failure here (known_hosts unreadable) ends the attempt without opening a connection.
   */
  hostKeyCheck: () => Result<HostKeyCheck, Failure>;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  commandTimeoutMs: number;
  /** stdout and stderr together are cut off past this many bytes. */
  maxOutputBytes: number;
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
}

export interface SshTimings {
  connectMs: number;
  handshakeMs: number;
  commandMs: number;
}

export type SshRunResult =
  | { ok: true; output: CommandOutput; timings: SshTimings; retried: boolean; reused?: boolean }
  | { ok: false; failure: Failure; timings: SshTimings; retried: boolean; reused?: boolean };
