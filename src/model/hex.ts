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
    // Each part separated by `sep` must be one or two hex digits (a character loop: a big config
    // has hundreds of thousands of identifiers).
    const sepCode = sep.charCodeAt(0);
    const out: number[] = [];
    let value = 0;
    let digits = 0;
    for (let i = 0; i <= t.length; i++) {
      const c = i === t.length ? sepCode : t.charCodeAt(i);
      if (c === sepCode) {
        if (digits === 0) return undefined;
        out.push(value);
        value = 0;
        digits = 0;
        continue;
      }
      const h = hexDigit(c);
      if (h < 0 || digits === 2) return undefined;
      value = value * 16 + h;
      digits++;
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

/** 0-15 for an ASCII hex digit, -1 otherwise. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * "aa:bb:cc" for the bytes. Joined from an array rather than appended to a string: appending builds
 * a chain of V8 "cons strings" (a few hundred bytes for a MAC address) that the Model would keep.
 */
export function colonHex(bytes: Uint8Array): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = BYTE_HEX[bytes[i]!]!;
  return parts.join(':');
}

/**
 * The number of bytes when `text` is already what colonHex would print for them (two lower-case
 * hex digits per byte, colon separated, nothing else), else 0. Most configs write identifiers that
 * way: then the text itself can serve as the canonical form, without decoding and re-encoding it.
 */
export function canonicalColonHexLength(text: string): number {
  const n = text.length;
  if (n < 2 || n % 3 !== 2) return 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (i % 3 === 2) {
      if (c !== 58 /* : */) return 0;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return 0;
  }
  return (n + 1) / 3;
}
