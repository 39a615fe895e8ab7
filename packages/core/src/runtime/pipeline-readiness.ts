import { accessSync, constants } from "node:fs";
import type { Redis } from "ioredis";
import type { ReadinessCheck } from "../http/readiness.js";
import type { RedisOutageReporter } from "../pipeline/redis-outage-reporter.js";
import { loadPrivateKey } from "../ssh/private-key-cache.js";
import type { ConfigHolder } from "./config-holder.js";

const whoAmI = (): string => (typeof process.getuid === "function" ? `uid ${process.getuid()}` : "this user");

/** Redis answers PING (through the app's own connection). */
export function redisReadiness(redis: Redis, reporter: RedisOutageReporter): ReadinessCheck {
  return {
    name: "redis",
    async check() {
      if (redis.status !== "ready") return reporter.problem ?? `Redis at ${reporter.display} is not connected yet (${redis.status})`;
      const answer = await redis.ping();
      return answer === "PONG" ? undefined : `Redis at ${reporter.display} answered PING with ${answer}`;
    },
  };
}

/** The fleet file was loaded (a reload with problems keeps the old one, which still counts). */
export function configReadiness(holder: ConfigHolder): ReadinessCheck {
  return { name: "config", check: () => (holder.current ? undefined : "no fleet file loaded") };
}

/**
 * Every key file the fleet uses can be read (and decrypted) by this process's user, and
 * every known_hosts file of a strict host can be read: the usual surprise in a container is
 * a root-owned 0600 key the app's user cannot open.
 */
export function sshFilesReadiness(holder: ConfigHolder): ReadinessCheck {
  return {
    name: "ssh-files",
    check() {
      const problems: string[] = [];
      const keys = new Map<string, string | undefined>();
      const knownHosts = new Set<string>();
      for (const host of holder.current.hosts) {
        keys.set(`${host.ssh.key}\u0000${host.ssh.passphrase ?? ""}`, host.ssh.passphrase);
        if (host.ssh.hostKeyPolicy === "strict") knownHosts.add(host.ssh.knownHosts);
      }
      for (const [id, passphrase] of keys) {
        const path = id.split("\u0000")[0]!;
        const key = loadPrivateKey(path, passphrase);
        if (!key.ok) problems.push(`${key.error.reason} (running as ${whoAmI()})`);
      }
      for (const path of knownHosts) {
        try {
          accessSync(path, constants.R_OK);
        } catch (error) {
          problems.push(`known_hosts file ${path} is not readable by ${whoAmI()} (${(error as NodeJS.ErrnoException).code}); fix its owner or mode, or ssh.knownHosts`);
        }
      }
      return problems.length === 0 ? undefined : problems.slice(0, 5).join("; ") + (problems.length > 5 ? `; and ${problems.length - 5} more` : "");
    },
  };
}
