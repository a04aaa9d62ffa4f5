/**
 * Kea client-class test expressions (Kea ARM "Using Expressions in Classification"): a parser for
 * the subset that dnsmasq can express, and its translation into dnsmasq matchers combined by
 * tag-if. Anything outside the subset is reported with the reason, never guessed.
 *
 * Supported atoms (each becomes one dnsmasq tag):
 *   substring(option[N].hex, 0, L) == 'X' | 0x..     -> dhcp-match=set:T,N,<hex X>  (prefix; exact when len(X) == L)
 *   option[N].hex == ... / option[N].text == ...       -> dhcp-match (prefix: also matches longer values; reported)
 *   option[93].hex == 0x0007                           -> dhcp-match=set:T,option:client-arch,7
 *   option[N].exists                                   -> dhcp-match=set:T,N
 *   pkt4.mac == 0x..., substring(pkt4.mac,0,L) == 0x.. -> dhcp-mac=set:T,aa:bb:cc[:*...]
 *   relay4[1].hex == ... / relay4[2].hex == ...        -> dhcp-circuitid / dhcp-remoteid
 *   member('C'), known, unknown, member('KNOWN'/'UNKNOWN'), 'a' == 'a'
 * combined with not / and / or (turned into tag-if lines in disjunctive normal form).
 */

export type Atom =
  | { kind: 'option'; code: number; bytes: Uint8Array; exact: boolean }
  | { kind: 'arch'; value: number }
  | { kind: 'exists'; code: number }
  | { kind: 'mac'; bytes: Uint8Array; prefix: boolean }
  | { kind: 'relay'; sub: 1 | 2; bytes: Uint8Array }
  | { kind: 'member'; name: string }
  | { kind: 'const'; value: boolean };

export type Expr = { op: 'atom'; atom: Atom } | { op: 'not'; e: Expr } | { op: 'and' | 'or'; a: Expr; b: Expr };

type Tok =
  | { t: 'id'; v: string }
  | { t: 'str'; v: string }
  | { t: 'hex'; v: Uint8Array }
  | { t: 'int'; v: number }
  | { t: 'p'; v: string };

export class ExprError extends Error {}

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      const j = src.indexOf("'", i + 1);
      if (j < 0) throw new ExprError('unterminated string');
      out.push({ t: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (src.startsWith('==', i)) {
      out.push({ t: 'p', v: '==' });
      i += 2;
    } else if ('()[].,'.includes(c)) {
      out.push({ t: 'p', v: c });
      i++;
    } else if (/^0x/i.test(src.slice(i, i + 2))) {
      const m = /^0x([0-9a-fA-F]*)/.exec(src.slice(i))!;
      let digits = m[1]!;
      if (digits.length % 2) digits = `0${digits}`;
      out.push({ t: 'hex', v: Uint8Array.from(Buffer.from(digits, 'hex')) });
      i += m[0].length;
    } else if (/\d/.test(c)) {
      const m = /^\d+/.exec(src.slice(i))!;
      if (src[i + m[0].length] === '.' && /^\d+\.\d+\.\d+\.\d+/.test(src.slice(i))) throw new ExprError('IP address literals are not supported');
      out.push({ t: 'int', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      throw new ExprError(`unexpected character "${c}"`);
    }
  }
  return out;
}

/** A value on either side of ==: what it reads, or a literal. */
type Operand =
  | { k: 'lit'; bytes: Uint8Array }
  | { k: 'option'; code: number; len?: number }
  | { k: 'mac'; len?: number }
  | { k: 'relay'; sub: number };

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  parse(): Expr {
    const e = this.or();
    if (this.i < this.toks.length) throw new ExprError(`unexpected "${this.show(this.toks[this.i]!)}"`);
    return e;
  }

  private show(t: Tok): string {
    return t.t === 'hex' ? '0x...' : String(t.v);
  }
  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  private isId(v: string): boolean {
    const t = this.peek();
    return t?.t === 'id' && t.v.toLowerCase() === v;
  }
  private expectP(v: string): void {
    const t = this.toks[this.i++];
    if (!t || t.t !== 'p' || t.v !== v) throw new ExprError(`expected "${v}"`);
  }
  private int(): number {
    const t = this.toks[this.i++];
    if (!t || t.t !== 'int') throw new ExprError('expected a number');
    return t.v;
  }

  private or(): Expr {
    let a = this.and();
    while (this.isId('or')) {
      this.i++;
      a = { op: 'or', a, b: this.and() };
    }
    return a;
  }
  private and(): Expr {
    let a = this.unary();
    while (this.isId('and')) {
      this.i++;
      a = { op: 'and', a, b: this.unary() };
    }
    return a;
  }
  private unary(): Expr {
    if (this.isId('not')) {
      this.i++;
      return { op: 'not', e: this.unary() };
    }
    const t = this.peek();
    if (t?.t === 'p' && t.v === '(') {
      this.i++;
      const e = this.or();
      this.expectP(')');
      return e;
    }
    if (this.isId('member')) {
      this.i++;
      this.expectP('(');
      const s = this.toks[this.i++];
      if (!s || s.t !== 'str') throw new ExprError('member() takes a class name in quotes');
      this.expectP(')');
      return { op: 'atom', atom: { kind: 'member', name: s.v } };
    }
    if (this.isId('known') || this.isId('unknown')) {
      const name = (this.toks[this.i++] as { v: string }).v.toUpperCase();
      return { op: 'atom', atom: { kind: 'member', name } };
    }
    // option[N].exists
    const save = this.i;
    if (this.isId('option')) {
      const code = this.optionCode();
      if (this.isId('exists')) {
        this.i++;
        return { op: 'atom', atom: { kind: 'exists', code } };
      }
      this.i = save;
    }
    const left = this.operand();
    this.expectP('==');
    const right = this.operand();
    return { op: 'atom', atom: compare(left, right) };
  }

  private optionCode(): number {
    this.i++; // option
    this.expectP('[');
    const code = this.int();
    this.expectP(']');
    this.expectP('.');
    return code;
  }

  private operand(): Operand {
    const t = this.peek();
    if (!t) throw new ExprError('unexpected end of expression');
    if (t.t === 'str') {
      this.i++;
      return { k: 'lit', bytes: new TextEncoder().encode(t.v) };
    }
    if (t.t === 'hex') {
      this.i++;
      return { k: 'lit', bytes: t.v };
    }
    if (t.t === 'id' && t.v === 'substring') {
      this.i++;
      this.expectP('(');
      const inner = this.operand();
      this.expectP(',');
      const start = this.int();
      this.expectP(',');
      const len = this.int();
      this.expectP(')');
      if (start !== 0) throw new ExprError('substring() not starting at 0 has no dnsmasq equivalent');
      if (inner.k === 'option' || inner.k === 'mac') return { ...inner, len };
      throw new ExprError('substring() of this value has no dnsmasq equivalent');
    }
    if (t.t === 'id' && t.v === 'option') {
      const code = this.optionCode();
      const field = this.toks[this.i++];
      if (!field || field.t !== 'id' || (field.v !== 'hex' && field.v !== 'text')) throw new ExprError('only option[N].hex, .text and .exists are supported');
      return { k: 'option', code };
    }
    if (t.t === 'id' && t.v === 'pkt4') {
      this.i++;
      this.expectP('.');
      const f = this.toks[this.i++];
      if (!f || f.t !== 'id' || f.v !== 'mac') throw new ExprError(`pkt4.${f ? this.show(f) : ''} has no dnsmasq equivalent`);
      return { k: 'mac' };
    }
    if (t.t === 'id' && t.v === 'relay4') {
      this.i++;
      this.expectP('[');
      const sub = this.int();
      this.expectP(']');
      this.expectP('.');
      const f = this.toks[this.i++];
      if (!f || f.t !== 'id' || f.v !== 'hex') throw new ExprError('only relay4[N].hex is supported');
      return { k: 'relay', sub };
    }
    throw new ExprError(`"${this.show(t)}" has no dnsmasq equivalent`);
  }
}

function compare(l: Operand, r: Operand): Atom {
  if (l.k === 'lit' && r.k === 'lit') {
    return { kind: 'const', value: Buffer.from(l.bytes).equals(Buffer.from(r.bytes)) };
  }
  const [field, lit] = l.k === 'lit' ? [r, l] : [l, r];
  if (lit.k !== 'lit') throw new ExprError('comparing two packet fields has no dnsmasq equivalent');
  const bytes = lit.bytes;
  if (field.k === 'option') {
    if (field.len !== undefined && field.len !== bytes.length) {
      // substring(...,0,L) == X with len(X) != L never matches in Kea.
      return { kind: 'const', value: false };
    }
    if (field.code === 93 && bytes.length === 2 && field.len === undefined) return { kind: 'arch', value: (bytes[0]! << 8) | bytes[1]! };
    if (bytes.length < 2) throw new ExprError('dnsmasq can only match option contents of at least 2 bytes');
    return { kind: 'option', code: field.code, bytes, exact: field.len !== undefined };
  }
  if (field.k === 'mac') {
    if (bytes.length === 0 || bytes.length > 16) throw new ExprError('a MAC comparison needs 1 to 16 bytes');
    return { kind: 'mac', bytes, prefix: field.len !== undefined };
  }
  if (field.k === 'relay') {
    if (field.sub !== 1 && field.sub !== 2) throw new ExprError('only relay4[1] (circuit-id) and relay4[2] (remote-id) are supported');
    return { kind: 'relay', sub: field.sub, bytes };
  }
  throw new ExprError('unsupported comparison');
}

export function parseExpression(src: string): Expr {
  return new Parser(tokenize(src)).parse();
}

/** A literal of a conjunction: an atom or its negation. */
export interface Literal {
  atom: Atom;
  negated: boolean;
}

/** Disjunctive normal form: OR of ANDs of literals (tag-if lines are ANDs; one line per OR term). */
export function toDnf(e: Expr, negate = false): Literal[][] {
  switch (e.op) {
    case 'atom':
      return [[{ atom: e.atom, negated: negate }]];
    case 'not':
      return toDnf(e.e, !negate);
    case 'and':
    case 'or': {
      const isAnd = (e.op === 'and') !== negate; // De Morgan
      const a = toDnf(e.a, negate);
      const b = toDnf(e.b, negate);
      if (!isAnd) return [...a, ...b];
      const out: Literal[][] = [];
      for (const x of a) for (const y of b) out.push([...x, ...y]);
      if (out.length > 64) throw new ExprError('the expression is too complex to express as dnsmasq tag-if lines');
      return out;
    }
  }
}
