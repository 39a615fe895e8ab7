/** Where a command writes; real streams in the binary, buffers in tests. */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr });

/** Exit codes shared by the commands. Check uses Nagios codes on top of these. */
export const EXIT = { ok: 0, invalid: 1, usage: 64, unknown: 3 } as const;
