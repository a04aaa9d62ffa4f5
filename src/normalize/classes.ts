/**
 * Kea client-classes -> ModelClass. A class converts when its test is in the expression subset
 * dnsmasq can express (src/kea/expression.ts) and every class it refers to converted too; the
 * rest are reported with the expression and the reason.
 */
import type { JsonPath } from '../diagnostics/diagnostic.js';
import { ExprError, parseExpression, toDnf, type Literal } from '../kea/expression.js';
import type { ModelClass } from '../model/model.js';
import type { OptionDef } from '../options/kea-option-defs.js';
import type { KeyFate } from './reader.js';
import { readOptionData } from './options.js';
import { readOwnBootFields } from './boot.js';
import { childPath, type Reader } from './reader.js';

const CLASS_HANDLED = new Set(['name', 'test', 'option-data', 'next-server', 'server-hostname', 'boot-file-name', 'only-if-required', 'only-in-additional-list']);

const CLASS_FATES: Record<string, KeyFate> = {
  comment: { fate: 'ignored', why: 'comments and user-context are documentation only' },
  'user-context': { fate: 'ignored', why: 'comments and user-context are documentation only' },
  'option-def': { fate: 'unsupported', why: 'class-local option definitions are not converted' },
  'valid-lifetime': { fate: 'unsupported', why: 'dnsmasq has no lease time per class (only per range or per host)' },
  'min-valid-lifetime': { fate: 'unsupported', why: 'dnsmasq has no lease time per class' },
  'max-valid-lifetime': { fate: 'unsupported', why: 'dnsmasq has no lease time per class' },
  'offer-lifetime': { fate: 'unsupported', why: 'dnsmasq does not hold offered addresses for a set time' },
  'template-test': { fate: 'unsupported', why: 'template classes (SPAWN_...) have no dnsmasq equivalent' },
};

/** Kea's built-in classes that need no definition. */
export const BUILTIN_CLASSES = new Set(['ALL', 'KNOWN', 'UNKNOWN', 'BOOTP', 'DROP']);

export const classTag = (name: string) =>
  `class-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'x'}`;

export function readClasses(r: Reader, v: unknown, path: JsonPath, customDefs: readonly OptionDef[]): ModelClass[] {
  const list = r.list(v, path);
  if (!list) return [];
  const out: ModelClass[] = [];
  const converted = new Set<string>();
  const usedTags = new Set<string>();
  list.forEach((item, i) => {
    const p = childPath(path, i);
    const o = r.object(item, p);
    if (!o) return;
    r.classifyRest(o, p, 'client-classes', CLASS_HANDLED, CLASS_FATES);
    const name = r.string(o.name, [...p, 'name']);
    if (name === undefined) {
      if (o.name === undefined) r.error('MISSING_KEY', p, { key: 'name', context: 'client-classes' });
      return;
    }
    const onlyIfRequired =
      (o['only-if-required'] !== undefined && r.boolean(o['only-if-required'], [...p, 'only-if-required'])) ||
      (o['only-in-additional-list'] !== undefined && r.boolean(o['only-in-additional-list'], [...p, 'only-in-additional-list']));
    if (onlyIfRequired) {
      r.warn('CLASS_NOT_CONVERTED', p, { name, reason: 'a class evaluated only when a subnet or pool requires it has no dnsmasq equivalent' });
      return;
    }
    let dnf: Literal[][] | undefined;
    if (o.test !== undefined) {
      const test = r.string(o.test, [...p, 'test']);
      if (test === undefined) return;
      try {
        dnf = toDnf(parseExpression(test));
      } catch (e) {
        if (!(e instanceof ExprError)) throw e;
        r.warn('CLASS_NOT_CONVERTED', [...p, 'test'], { name, reason: `test "${test}": ${e.message}` });
        return;
      }
      const missing = dnf
        .flat()
        .filter((l) => l.atom.kind === 'member')
        .map((l) => (l.atom as { name: string }).name)
        .find((n) => !BUILTIN_CLASSES.has(n) && !converted.has(n) && !n.startsWith('VENDOR_CLASS_'));
      if (missing !== undefined) {
        r.warn('CLASS_NOT_CONVERTED', [...p, 'test'], { name, reason: `it depends on class "${missing}", which was not converted (or is defined later)` });
        return;
      }
      if (dnf.flat().some((l) => l.atom.kind === 'option' && !l.atom.exact)) {
        r.warn('CLASS_MATCH_PREFIX', [...p, 'test'], { name });
      }
    }
    const boot = readOwnBootFields(r, o, p);
    let tag = classTag(name);
    for (let k = 2; usedTags.has(tag); k++) tag = `${classTag(name)}-${k}`;
    usedTags.add(tag);
    converted.add(name);
    out.push({
      name,
      tag,
      dnf,
      options: o['option-data'] === undefined ? [] : readOptionData(r, o['option-data'], { path: p }, customDefs),
      boot,
      path: p,
    });
  });
  return out;
}
