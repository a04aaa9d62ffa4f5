/**
 * Kea client classes as dnsmasq tags (file 25-classes.conf).
 *
 * - Each test atom becomes a matcher line (dhcp-match, dhcp-mac, dhcp-circuitid, dhcp-remoteid)
 *   setting a tag; and/or/not become tag-if lines in disjunctive normal form (a tag-if line is an
 *   AND; one line per OR term). tag-if lines run in file order, so classes keep Kea's order and
 *   member() can refer to earlier classes.
 * - Class options: Kea ranks them below pool, subnet and shared-network options but above global
 *   ones. dnsmasq ranks tag matches above range matches, so each class option line carries
 *   tag:!<scope> for every scope that sets the same option code (dnsmasq re-checks tag:! lines with
 *   the range tags included and drops them, and the scope's line wins). Kea uses the first class
 *   that sets an option; dnsmasq the last line, so class lines are written in reverse order.
 * - Guards (client-classes on subnets and pools, an OR) become a tag filter on the dhcp-range.
 */
import type { Model, ModelClass, ModelOption } from '../model/model.js';
import { classCondition, effectiveGuard } from '../model/class-names.js';
import { colonHex } from '../model/hex.js';
import type { Literal } from '../kea/expression.js';
import { networkTag, poolTag, subnetTag } from './tags.js';
import { optionLine } from './option-line.js';

/**
 * The tag filter for a dhcp-range guarded by `classes` (Kea: member of at least one), and the
 * tag-if lines that build an OR. Undefined filter: no guard, or one that cannot be expressed
 * (reported by the check rules).
 */
export { classCondition, effectiveGuard };

export function guardFilter(m: Model, classes: readonly string[], unionTag: string): { filter: string | undefined; lines: string[] } {
  const names = effectiveGuard(m, classes);
  if (names.length === 0) return { filter: undefined, lines: [] };
  const conds = names.map((n) => classCondition(m, n));
  if (conds.some((c) => c === undefined)) return { filter: undefined, lines: [] };
  if (conds.length === 1) return { filter: conds[0], lines: [] };
  return { filter: unionTag, lines: conds.map((c) => `tag-if=set:${unionTag},tag:${c}`) };
}

function matcherLine(tag: string, l: Literal): string | undefined {
  const a = l.atom;
  switch (a.kind) {
    case 'option':
      return `dhcp-match=set:${tag},${a.code},${colonHex(a.bytes)}`;
    case 'arch':
      return `dhcp-match=set:${tag},option:client-arch,${a.value}`;
    case 'exists':
      return `dhcp-match=set:${tag},${a.code}`;
    case 'mac': {
      const parts = Array.from(a.bytes, (b) => b.toString(16).padStart(2, '0'));
      if (a.prefix) while (parts.length < 6) parts.push('*');
      return `dhcp-mac=set:${tag},${parts.join(':')}`;
    }
    case 'relay':
      return `${a.sub === 1 ? 'dhcp-circuitid' : 'dhcp-remoteid'}=set:${tag},${colonHex(a.bytes)}`;
    default:
      return undefined;
  }
}

function literalCondition(m: Model, l: Literal, atomTag: string | undefined): string | null | undefined {
  // null: literal is always true (drop it); undefined: always false (drop the conjunct)
  const a = l.atom;
  if (a.kind === 'const') return a.value !== l.negated ? null : undefined;
  if (a.kind === 'member') {
    if (a.name === 'ALL') return l.negated ? undefined : null;
    const c = a.name.startsWith('VENDOR_CLASS_') ? atomTag : classCondition(m, a.name);
    if (c === undefined) return undefined;
    const neg = c.startsWith('!');
    const base = neg ? c.slice(1) : c;
    return neg !== l.negated ? `!${base}` : base;
  }
  return `${l.negated ? '!' : ''}${atomTag}`;
}

function classLines(m: Model, c: ModelClass): string[] {
  if (!c.dnf) return []; // assigned by reservations only
  const out: string[] = [];
  let k = 0;
  const atomTags = new Map<Literal, string>();
  const single = c.dnf.length === 1 && c.dnf[0]!.length === 1 && !c.dnf[0]![0]!.negated ? c.dnf[0]![0]! : undefined;
  for (const conj of c.dnf) {
    for (const l of conj) {
      let matcher: string | undefined;
      if (l.atom.kind === 'member' && l.atom.name.startsWith('VENDOR_CLASS_')) {
        const text = l.atom.name.slice('VENDOR_CLASS_'.length);
        const tag = single === l ? c.tag : `${c.tag}-m${++k}`;
        atomTags.set(l, tag);
        out.push(`dhcp-match=set:${tag},60,${colonHex(new TextEncoder().encode(text))}`);
        continue;
      }
      const tag = single === l ? c.tag : `${c.tag}-m${k + 1}`;
      matcher = matcherLine(tag, l);
      if (matcher !== undefined) {
        k++;
        atomTags.set(l, tag);
        out.push(matcher);
      }
    }
  }
  const direct = single && single.atom.kind !== 'const' && (single.atom.kind !== 'member' || single.atom.name.startsWith('VENDOR_CLASS_'));
  if (direct) return out;
  for (const conj of c.dnf) {
    const conds: string[] = [];
    let possible = true;
    for (const l of conj) {
      const cond = literalCondition(m, l, atomTags.get(l));
      if (cond === undefined) possible = false;
      else if (cond !== null) conds.push(`tag:${cond}`);
    }
    if (possible) out.push(`tag-if=set:${c.tag}${conds.length ? `,${conds.join(',')}` : ''}`);
  }
  return out;
}

/** Scope tags (shared network, subnet, pool) that set option `code`: class lines must yield to them. */
function scopesSetting(m: Model, code: number): string[] {
  const has = (opts: readonly ModelOption[]) => opts.some((o) => o.code === code && o.dnsmasq);
  return [
    ...m.sharedNetworks.filter((n) => has(n.options)).map((n) => networkTag(n.name)),
    ...m.subnets.filter((s) => has(s.options)).map((s) => subnetTag(s)),
    ...m.subnets.flatMap((s) => s.pools.filter((p) => has(p.options)).map((p) => poolTag(s, p.index))),
  ];
}

export function emitClasses(m: Model, header: string[], bootLine: (tag: string, c: ModelClass) => string | undefined): string | undefined {
  if (m.classes.length === 0) return undefined;
  const out = [...header];
  for (const c of m.classes) {
    out.push(`# Kea class "${c.name}"`);
    out.push(...classLines(m, c));
    if (c.name === 'DROP') out.push(`dhcp-ignore=tag:${c.tag}`);
  }
  const withOptions = m.classes.filter((c) => c.options.some((o) => o.dnsmasq));
  if (withOptions.length > 0) {
    // Measured with Kea 2.2: a client in two classes that set one option gets the first class's value.
    out.push('', '# Class options, last class first (Kea uses the first class that sets an option; dnsmasq the last line).');
    for (const c of [...withOptions].reverse()) {
      const seen = new Set<number>();
      for (const o of [...c.options].reverse()) {
        if (!o.dnsmasq || seen.has(o.code)) continue;
        seen.add(o.code);
        const line = optionLine([c.tag, ...scopesSetting(m, o.code).map((t) => `!${t}`)], o, true);
        if (line) out.push(line);
      }
    }
  }
  const boots = m.classes.map((c) => bootLine(c.tag, c)).filter((l): l is string => l !== undefined);
  // Measured with Kea 2.2: with two matching classes the first class's boot-file-name is sent;
  // dnsmasq's dhcp-boot takes the last matching line, so these go last class first.
  if (boots.length > 0) out.push('', '# Class boot settings, last class first (after the subnet ones: a class overrides them).', ...boots.reverse());
  out.push('');
  return out.join('\n');
}
