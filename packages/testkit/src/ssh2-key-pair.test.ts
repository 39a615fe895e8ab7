import ssh2 from "ssh2";
import { describe, expect, it } from "vitest";
import { ssh2KeyPair } from "./ssh2-key-pair.js";

describe("ssh2KeyPair", () => {
  it("makes only pairs that ssh2 can read back (its own generator sometimes does not)", () => {
    for (let i = 0; i < 2_000; i++) {
      const pair = ssh2KeyPair({ comment: "test" });
      expect(ssh2.utils.parseKey(pair.public)).not.toBeInstanceOf(Error);
      expect(ssh2.utils.parseKey(pair.private)).not.toBeInstanceOf(Error);
    }
  });
});
