/**
 * Makes a host name or check name safe inside a BullMQ job id and a Redis key: BullMQ
 * refuses `:` in custom ids, and IPv6 addresses and `disk:/var` contain it. Reversible.
 */
export function encodeId(name: string): string {
  return encodeURIComponent(name).replace(/[.!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function decodeId(encoded: string): string {
  return decodeURIComponent(encoded);
}
