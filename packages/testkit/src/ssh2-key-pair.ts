import ssh2 from "ssh2";

/**
 * An ed25519 key pair in OpenSSH format made by ssh2 (no ssh-keygen needed), regenerated
 * until both halves parse: about 1 in 250 of ssh2's `generateKeyPairSync("ed25519")` pairs
 * has a 31-byte public key (a leading zero byte dropped) that ssh2 itself then refuses as
 * "Malformed OpenSSH public key", which failed a simulated fleet or an in-process demo host
 * at random.
 */
export function ssh2KeyPair(options: { comment?: string } = {}): { private: string; public: string } {
  for (let attempt = 0; attempt < 100; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync("ed25519", options);
    const parsedPublic = ssh2.utils.parseKey(pair.public);
    const parsedPrivate = ssh2.utils.parseKey(pair.private);
    if (!(parsedPublic instanceof Error) && !(parsedPrivate instanceof Error)) return pair;
  }
  throw new Error("bug: ssh2 made 100 ed25519 key pairs in a row that it cannot read");
}
