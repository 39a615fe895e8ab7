/** Redis Cluster has 16,384 hash slots; a key's slot is CRC16 of its hash tag (or of the whole key). */
export const HASH_SLOTS = 16_384;

/**
 * The part of a key Redis Cluster hashes: the text between the first `{` and the next `}`
 * when that is not empty, else the whole key.
 */
export function hashTagOf(key: string): string {
  const open = key.indexOf("{");
  if (open < 0) return key;
  const close = key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** CRC16-CCITT (XMODEM), as Redis Cluster computes it. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The hash slot of a key, as `CLUSTER KEYSLOT` answers it. */
export const hashSlot = (key: string): number => crc16(Buffer.from(hashTagOf(key))) % HASH_SLOTS;
