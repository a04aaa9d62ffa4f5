/** How Kea class names resolve against the converted classes (shared by check and emit). */
import type { Model } from './model.js';

/** The dnsmasq tag condition for one Kea class name, or undefined when it cannot be expressed. */
export function classCondition(m: Model, name: string): string | undefined {
  if (name === 'KNOWN') return 'known';
  if (name === 'UNKNOWN') return '!known';
  return m.classes.find((c) => c.name === name)?.tag;
}

/** Classes a guard really restricts by (HA_ scopes are handled by the pool split, ALL is everyone). */
export function effectiveGuard(m: Model, classes: readonly string[]): string[] {
  return classes.filter((c) => c !== 'ALL' && !(m.ha && c.startsWith('HA_')));
}

