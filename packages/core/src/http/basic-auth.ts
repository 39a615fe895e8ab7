import { createHash, timingSafeEqual } from "node:crypto";
import type { HttpCredentials } from "./http-settings.js";

/** What a 401 says, so browsers and curl know to send credentials. */
export const WWW_AUTHENTICATE = 'Basic realm="fleetwatch", charset="UTF-8"';

const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

/** Compares in time that depends on neither string's content nor length. */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Whether an `Authorization` header carries the expected HTTP Basic credentials. User and
 * password are both compared, always, in constant time.
 */
export function basicAuthMatches(header: string | undefined, expected: HttpCredentials): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  const decoded = match ? Buffer.from(match[1]!, "base64").toString("utf8") : "";
  const colon = decoded.indexOf(":");
  const user = colon >= 0 ? decoded.slice(0, colon) : "";
  const password = colon >= 0 ? decoded.slice(colon + 1) : "";
  const userOk = sameSecret(user, expected.user);
  const passwordOk = sameSecret(password, expected.password);
  return colon >= 0 && userOk && passwordOk;
}
