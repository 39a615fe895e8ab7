import { createServer, type Server, type Socket } from "node:net";

/** A "host" that accepts TCP and never says a word: no SSH banner, ever. */
export async function startSilentListener(address: string, port: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
    // Read (and ignore) what the client says, so its close is seen and this side closes too;
    // an unread socket would sit in CLOSE_WAIT for as long as the listener lives.
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
