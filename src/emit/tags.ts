/** dnsmasq tag names for Kea scopes: stable, derived from Kea ids and names. */
import type { Subnet } from '../model/model.js';

export const subnetTag = (s: Subnet) => `subnet-${s.id}`;
export const poolTag = (s: Subnet, index: number) => `subnet-${s.id}-pool-${index}`;
export const networkTag = (name: string) => `net-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`;
/** Union tag for a subnet's or pool's class guard with several classes (Kea: member of any). */
export const guardTag = (s: Subnet, poolIndex?: number) => `guard-${poolIndex === undefined ? subnetTag(s) : poolTag(s, poolIndex)}`;
