import { isUtf8 } from "node:buffer";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";
import type { ConfigIssue } from "./config-issue.js";

/** Offset of the first byte that does not start or continue a UTF-8 sequence, or -1. */
function firstBadByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const extra = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (extra < 0) return i;
    for (let k = 1; k <= extra; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
    }
    i += extra + 1;
  }
  return -1;
}

/** Decodes a fleet file, refusing invalid UTF-8 with the line and key where it is. */
export function decodeUtf8(bytes: Uint8Array): Result<string, ConfigIssue[]> {
  if (isUtf8(bytes)) return ok(Buffer.from(bytes).toString("utf8").replace(/^\uFEFF/, ""));
  const at = firstBadByte(bytes);
  if (at < 0) return err([{ path: "", message: "the file is not valid UTF-8; save it as UTF-8" }]);
  const before = Buffer.from(bytes.subarray(0, at)).toString("utf8");
  const line = before.split("\n").length;
  const lineText = before.slice(before.lastIndexOf("\n") + 1);
  const key = /([A-Za-z_][\w-]*)\s*:[^:]*$/.exec(lineText)?.[1];
  return err([
    {
      path: "",
      message: `not valid UTF-8 at line ${line}${key ? `, in the value of \`${key}\`` : ""} (byte ${at}: 0x${bytes[at]!.toString(16)}); save the file as UTF-8`,
    },
  ]);
}
