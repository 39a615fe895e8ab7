import { createHmac } from "node:crypto";

/** DingTalk's signature: urlencode(base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`))). */
export function dingtalkSignature(secret: string, timestampMs: number): string {
  const digest = createHmac("sha256", secret).update(`${timestampMs}\n${secret}`).digest("base64");
  return encodeURIComponent(digest);
}

/** The webhook URL with `timestamp` and `sign` appended when a secret is set. */
export function signedWebhookUrl(webhook: string, secret: string | undefined, timestampMs: number): string {
  if (!secret) return webhook;
  const separator = webhook.includes("?") ? "&" : "?";
  return `${webhook}${separator}timestamp=${timestampMs}&sign=${dingtalkSignature(secret, timestampMs)}`;
}
