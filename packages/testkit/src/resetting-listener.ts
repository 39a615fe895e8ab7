import { createServer, type Server, type Socket } from "node:net";

/**
 * A "host" that sends an SSH banner, reads the client's first bytes and then resets the
 * connection (TCP RST) in the middle of the handshake, as a crashing sshd or a middlebox does.
 */
export async function startResettingListener(address: string, port: number): Promise<{ close(): Promise<void>; accepted: () => number }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    socket.write("SSH-2.0-OpenSSH_9.6 resetting\r\n");
    socket.once("data", () => socket.resetAndDestroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => resolve());
  });
  return {
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
