import { createHmac } from "node:crypto";
import { EventEmitter } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";

export interface ReceivedMessage {
  at: number;
  token: string;
  title: string;
  text: string;
  atMobiles: string[];
  isAtAll: boolean;
  /** Mobiles DingTalk would actually ring: listed in atMobiles and written as @mobile in the text. */
  rung: string[];
}

export interface Attempt {
  at: number;
  status: number;
  errcode: number | null;
}

/**
 * How the stand-in misbehaves for the next requests, as a broken or overloaded DingTalk would:
 * - `refused`: the connection is reset before any answer (as a refused or dropped connection);
 * - `http-502`: a gateway error page;
 * - `errcode-NNNNNN`: HTTP 200 with that errcode (130101, 310000, 300001, 460101…);
 * - `invalid-json`: HTTP 200 with a body that is not JSON;
 * - `html-page`: HTTP 200 with an HTML error page (a captive portal or proxy);
 * - `slow`: accepts the message (it reaches the chat) but answers only after `slowMs`, past the
 *   client's timeout.
 */
export type WebhookFault = "refused" | "http-502" | "invalid-json" | "html-page" | "slow" | `errcode-${number}`;

export interface StandInOptions {
  /** access_token → signing secret (or null for an unsigned robot). */
  robots: Record<string, string | null>;
  /** @defaultValue 20 */
  perMinute?: number;
  /** How long a robot stays blocked after exceeding the rate. @defaultValue 10 minutes */
  blockMs?: number;
  /** @defaultValue 20000 */
  maxBytes?: number;
}

/**
 * An HTTP server that answers like a DingTalk custom robot: HTTP 200 with `{errcode, errmsg}`;
 * 300001 for an unknown token; 310000 for a bad signature or a timestamp more than an hour
 * off; 130101 past 20 messages in a sliding minute (then blocked); 460101 past 20,000 bytes of
 * markdown (UTF-8). It records what it accepted and whom it would ring, and emits each accepted
 * message as `message` the moment it arrives.
 */
export class DingtalkStandIn extends EventEmitter<{ message: [ReceivedMessage] }> {
  readonly received: ReceivedMessage[] = [];
  readonly attempts: Attempt[] = [];
  private server: Server | undefined;
  private sent = new Map<string, number[]>();
  private blockedUntil = new Map<string, number>();
  private outageUntil = 0;
  private outageStatus = 502;
  private faults: WebhookFault[] = [];
  private slowMs = 12_000;
  private readonly slowTimers = new Set<NodeJS.Timeout>();
  port = 0;

  constructor(private readonly options: StandInOptions) {
    super();
  }

  url(token: string): string {
    return `http://127.0.0.1:${this.port}/robot/send?access_token=${token}`;
  }

  /** Answers `status` (a gateway error) to every request for `ms`. */
  outage(ms: number, status = 502): void {
    this.outageUntil = Date.now() + ms;
    this.outageStatus = status;
  }

  /** The next `times` requests misbehave as `fault`, after any already queued. */
  misbehave(fault: WebhookFault, times = 1, options: { slowMs?: number } = {}): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
    if (options.slowMs !== undefined) this.slowMs = options.slowMs;
  }

  /** Drops the faults still queued: the webhook is fixed. */
  recover(): void {
    this.faults.length = 0;
    this.outageUntil = 0;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const fault = this.faults.shift();
      if (fault === "refused") {
        this.attempts.push({ at: Date.now(), status: 0, errcode: null });
        req.socket.resetAndDestroy();
        return;
      }
      void this.handle(req, fault).then(({ status, body }) => {
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(status, { "content-type": status === 200 && fault !== "html-page" ? "application/json" : "text/html" });
          res.end(typeof body === "string" ? body : JSON.stringify(body));
        };
        if (fault !== "slow") return send();
        const timer = setTimeout(() => {
          this.slowTimers.delete(timer);
          send();
        }, this.slowMs);
        this.slowTimers.add(timer);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Stops listening, so connections are refused, until `up()`. */
  async down(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Listens again on the same port after `down()`. */
  async up(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.port, "127.0.0.1", () => {
        this.server!.off("error", reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    for (const timer of this.slowTimers) clearTimeout(timer);
    this.slowTimers.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, fault?: WebhookFault): Promise<{ status: number; body: string | { errcode: number; errmsg: string } }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const now = Date.now();
    const answer = (status: number, body: string | { errcode: number; errmsg: string }) => {
      this.attempts.push({ at: now, status, errcode: typeof body === "string" ? null : body.errcode });
      return { status, body };
    };
    if (now < this.outageUntil) return answer(this.outageStatus, "<html>502 Bad Gateway</html>");
    if (fault === "http-502") return answer(502, "<html><body><h1>502 Bad Gateway</h1></body></html>");
    if (fault === "invalid-json") return answer(200, '{"errcode":0,"errmsg":');
    if (fault === "html-page") return answer(200, "<!DOCTYPE html><html><head><title>Error</title></head><body>Service unavailable</body></html>");
    if (fault?.startsWith("errcode-")) {
      const errcode = Number(fault.slice("errcode-".length));
      return answer(200, { errcode, errmsg: `stand-in fault ${errcode}` });
    }
    const url = new URL(req.url ?? "/", "http://stand-in");
    const token = url.searchParams.get("access_token") ?? "";
    if (url.pathname !== "/robot/send" || !(token in this.options.robots)) return answer(200, { errcode: 300001, errmsg: "token is not exist" });
    const secret = this.options.robots[token];
    if (secret) {
      const timestamp = Number(url.searchParams.get("timestamp"));
      const sign = url.searchParams.get("sign") ?? "";
      const expected = createHmac("sha256", secret).update(`${timestamp}\n${secret}`).digest("base64");
      if (!Number.isFinite(timestamp) || Math.abs(now - timestamp) > 3_600_000 || sign !== expected) {
        return answer(200, { errcode: 310000, errmsg: "sign not match" });
      }
    }
    if ((this.blockedUntil.get(token) ?? 0) > now) return answer(200, { errcode: 130101, errmsg: "send too fast, exceed 20 times per minute" });
    const recent = (this.sent.get(token) ?? []).filter((t) => t > now - 60_000);
    if (recent.length >= (this.options.perMinute ?? 20)) {
      this.blockedUntil.set(token, now + (this.options.blockMs ?? 600_000));
      return answer(200, { errcode: 130101, errmsg: "send too fast, exceed 20 times per minute" });
    }
    let payload: { msgtype?: string; markdown?: { title?: string; text?: string }; at?: { atMobiles?: string[]; isAtAll?: boolean } };
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return answer(200, { errcode: 40035, errmsg: "invalid json" });
    }
    const text = payload.markdown?.text ?? "";
    if (payload.msgtype !== "markdown" || !payload.markdown?.title || !text) return answer(200, { errcode: 40035, errmsg: "missing markdown" });
    if (Buffer.byteLength(text, "utf8") > (this.options.maxBytes ?? 20_000)) return answer(200, { errcode: 460101, errmsg: "message too long" });
    recent.push(now);
    this.sent.set(token, recent);
    const atMobiles = payload.at?.atMobiles ?? [];
    const message: ReceivedMessage = {
      at: now,
      token,
      title: payload.markdown.title,
      text,
      atMobiles,
      isAtAll: payload.at?.isAtAll ?? false,
      rung: atMobiles.filter((m) => text.includes(`@${m}`)),
    };
    this.received.push(message);
    this.emit("message", message);
    return answer(200, { errcode: 0, errmsg: "ok" });
  }
}
