/**
 * Kea's hex spellings for identifiers (Host::setIdentifier / decodeFormattedHexString):
 * "aa:bb:cc" (1-2 digits per octet), "aa bb cc", "aabbcc", "0xaabbcc" (an odd digit count gets a
 * leading 0), or 'quoted text' (single quotes inside the JSON string).
 */
export function decodeKeaHex(text: string, allowQuotedText = true): Uint8Array | undefined {
  const t = text.trim();
  if (allowQuotedText && t.length >= 2 && t.startsWith("'") && t.endsWith("'")) {
    return new TextEncoder().encode(t.slice(1, -1));
  }
  if (t.includes(':') || t.includes(' ')) {
    const sep = t.includes(':') ? ':' : ' ';
    if (t.includes(':') && t.includes(' ')) return undefined;
    const parts = t.split(sep);
    const out: number[] = [];
    for (const p of parts) {
      if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
    return Uint8Array.from(out);
  }
  let digits = t.startsWith('0x') || t.startsWith('0X') ? t.slice(2) : t;
  if (digits.length === 0 || !/^[0-9a-fA-F]+$/.test(digits)) return undefined;
  if (digits.length % 2 === 1) digits = `0${digits}`;
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function colonHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}
