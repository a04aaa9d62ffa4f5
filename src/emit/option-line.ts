/** One dhcp-option line for a model option: shared by the scope options, classes and reservation tags. */
import type { ModelOption } from '../model/model.js';

/** Kea sends these even to clients that did not ask (measured with Kea 2.2; ../shared/reference). */
const KEA_ALWAYS_SENT = new Set([3, 6, 15]);

/**
 * `dhcp-option[-force]=tag:a,tag:!b,<token>[,<value>]`; undefined when dnsmasq cannot send it.
 * `forceable` is false where force cannot be written (dhcp-optsfile lines). A value-less line
 * suppresses the option and is never forced.
 */
export function optionLine(tags: readonly string[], o: ModelOption, forceable: boolean): string | undefined {
  if (!o.dnsmasq) return undefined;
  const force = forceable && o.dnsmasq.value !== '' && (o.alwaysSend || KEA_ALWAYS_SENT.has(o.code));
  const prefix = tags.map((t) => `tag:${t},`).join('');
  const value = o.dnsmasq.value === '' ? '' : `,${o.dnsmasq.value}`;
  return `${force ? 'dhcp-option-force' : 'dhcp-option'}=${prefix}${o.dnsmasq.token}${value}`;
}
