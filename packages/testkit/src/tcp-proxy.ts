import { connect, createServer, type Server, type Socket } from "node:net";

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * A loopback TCP proxy in front of a lab host, to break connections the way networks do:
 * `freeze()` stops forwarding on every open connection without closing it (a half-open
 * connection: a NAT entry gone, a peer that vanished), `cut()` resets them. New connections
 * are forwarded to the current upstream, which `retarget()` changes (a host reinstalled
 * behind the same address).
 */
export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private readonly frozen = new Set<Pair>();
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(
    private readonly server: Server,
    readonly address: string,
    readonly port: number,
    private upstream: { address: string; port: number },
  ) {}

  static async start(address: string, upstream: { address: string; port: number }): Promise<TcpProxy> {
    const made: { proxy?: TcpProxy } = {};
    const server = createServer((client) => made.proxy!.forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, address, resolve);
    });
    made.proxy = new TcpProxy(server, address, (server.address() as { port: number }).port, upstream);
    return made.proxy;
  }

  private forward(client: Socket): void {
    this.accepted += 1;
    const upstream = connect({ host: this.upstream.address, port: this.upstream.port });
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.pipe(upstream).pipe(client);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  }

  /** Open connections stop carrying bytes either way, and stay open. */
  freeze(): void {
    for (const pair of [...this.pairs]) {
      pair.client.unpipe(pair.upstream);
      pair.upstream.unpipe(pair.client);
      pair.client.pause();
      pair.upstream.pause();
      this.pairs.delete(pair);
      this.frozen.add(pair);
    }
  }

  /** Open connections are reset. */
  cut(): void {
    for (const { client, upstream } of [...this.pairs]) {
      client.resetAndDestroy();
      upstream.destroy();
    }
  }

  retarget(upstream: { address: string; port: number }): void {
    this.upstream = upstream;
  }

  async close(): Promise<void> {
    this.cut();
    for (const { client, upstream } of this.frozen) {
      client.destroy();
      upstream.destroy();
    }
    this.frozen.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
