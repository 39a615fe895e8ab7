import { request } from "undici";
import { recordWebhookAnswer } from "../metrics/notification-metrics.js";
import { signedWebhookUrl } from "./dingtalk-sign.js";

export interface DingtalkMessage {
  title: string;
  markdown: string;
  atMobiles: string[];
  isAtAll: boolean;
}

/**
 * How a delivery went. Like Alertmanager's `Notify`, every failure says whether trying again
 * can help; a rate-limited robot also says so, as it is then blocked for minutes.
 */
export type DeliveryResult = { ok: true } | DeliveryFailure;

/**
 * What to do about a failure, as the design settles it: `retry` the same message with backoff
 * (HTTP 5xx, timeouts, refused connections), `pause` the robot 10 minutes then retry (130101),
 * `split` the message smaller and resend (460101), `park` it and mark the robot failing (any
 * other errcode: 300001 bad token, 310000 signature, keyword or IP…).
 */
export type FailureAction = "retry" | "pause" | "split" | "park";

export interface DeliveryFailure {
  ok: false;
  action: FailureAction;
  /** Whether sending the same message again can help (for callers without a lane). */
  recoverable: boolean;
  rateLimited: boolean;
  errcode?: number;
  reason: string;
}

/** errcodes that no retry can fix: a bad token, a bad signature or keyword, a message too large. */
const PERMANENT: Record<number, string> = {
  300001: "the access_token is invalid (errcode 300001); check the robot's webhook",
  310000: "signature or keyword mismatch (errcode 310000); check the robot's secret, keywords and this machine's clock",
  400101: "the robot is disabled or deleted (errcode 400101)",
  400102: "the robot is stopped (errcode 400102)",
};
export const DINGTALK_RATE_LIMITED = 130101;

export const DINGTALK_TOO_LONG = 460101;

const failure = (action: FailureAction, reason: string, errcode?: number): DeliveryFailure => ({
  ok: false,
  action,
  recoverable: action === "retry" || action === "pause",
  rateLimited: action === "pause",
  ...(errcode === undefined ? {} : { errcode }),
  reason,
});

/**
 * Sends one markdown message to a DingTalk custom robot. HTTP 200 is not success: the body's
 * `errcode` must be 0. Never throws; the webhook URL (a secret) is never part of a reason.
 */
export async function sendDingtalk(
  target: { webhook: string; secret?: string },
  message: DingtalkMessage,
  options: { timeoutMs?: number; now?: number } = {},
): Promise<DeliveryResult> {
  const url = signedWebhookUrl(target.webhook, target.secret, options.now ?? Date.now());
  const body = JSON.stringify({
    msgtype: "markdown",
    markdown: { title: message.title, text: message.markdown },
    at: { atMobiles: message.atMobiles, isAtAll: message.isAtAll },
  });
  const timeoutMs = options.timeoutMs ?? 10_000;
  let status: number;
  let text: string;
  try {
    const response = await request(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    status = response.statusCode;
    text = await response.body.text();
  } catch (cause) {
    const error = cause as Error & { code?: string };
    recordWebhookAnswer("network");
    return failure("retry", `webhook request failed: ${error.code ?? error.name} ${error.message.replace(/https?:\/\/\S+/g, "<webhook>")}`);
  }
  if (status !== 200) {
    recordWebhookAnswer(`http_${status}`);
    const snippet = text.slice(0, 200).replace(/\s+/g, " ");
    return failure(status >= 500 || status === 429 || status === 408 ? "retry" : "park", `webhook answered HTTP ${status}: ${snippet}`);
  }
  let answer: { errcode?: unknown; errmsg?: unknown };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    recordWebhookAnswer("bad_body");
    return failure("retry", `webhook answered HTTP 200 with a body that is not JSON: ${text.slice(0, 120)}`);
  }
  const code = Number(answer.errcode);
  recordWebhookAnswer(Number.isInteger(code) ? String(code) : "bad_body");
  if (code === 0) return { ok: true };
  const errmsg = typeof answer.errmsg === "string" ? answer.errmsg : "";
  if (code === DINGTALK_RATE_LIMITED) return failure("pause", `rate limited by DingTalk (errcode 130101: ${errmsg})`, code);
  if (code === DINGTALK_TOO_LONG) return failure("split", `message too large (errcode 460101): ${errmsg}`, code);
  const known = PERMANENT[code];
  return failure("park", `${known ?? `DingTalk answered errcode ${answer.errcode}`}: ${errmsg}`, Number.isFinite(code) ? code : undefined);
}
