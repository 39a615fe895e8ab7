import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

/**
 * How testkit starts its long-running programs (sshd, redis-server, canaries). Tests use the
 * plain `spawn`; the demo passes its supervisor's, which puts each program in its own process
 * group and makes sure it dies with the demo.
 */
export type Spawner = (file: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export const plainSpawner: Spawner = (file, args, options) => spawn(file, args, options);
