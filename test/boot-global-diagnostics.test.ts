/**
 * Boot fields and address-less global reservations: the cases the property test's oracle found
 * converted with a changed meaning and no word about it (see KNOWN_GAPS in test/property.test.ts).
 * Each minimal config must now produce a located warning naming what changed.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../src/diagnostics/diagnostic.js';
import { compileText } from './support/hostile.js';

const warnings = (text: string, code: string): Diagnostic[] => {
  const r = compileText(text);
  expect(r.ok).toBe(true);
  const found = r.diagnostics.filter((d) => d.code === code);
  for (const d of found) {
    expect(d.severity).toBe('warning');
    expect(d.at?.line).toBeGreaterThan(0);
  }
  return found;
};
const subnet = (id: number, extra: Record<string, unknown> = {}) => ({ id, subnet: `198.18.${id - 1}.0/24`, ...extra });
const text = (d4: Record<string, unknown>) => JSON.stringify({ Dhcp4: d4 }, null, 2);

describe('BOOT_SIADDR_CHANGED', () => {
  it('fires for next-server "0.0.0.0" set on a subnet, which dhcp-boot cannot say', () => {
    const cfg = text({
      subnet4: [subnet(1, { 'next-server': '0.0.0.0', reservations: [{ 'hw-address': '02:00:00:01:00:00', 'ip-address': '198.18.0.1', 'boot-file-name': 'efi/a.efi' }] })],
    });
    expect(warnings(cfg, 'BOOT_SIADDR_CHANGED').map((d) => d.args.file)).toEqual(['efi/a.efi']);
  });

  it('fires for a global reservation with a boot file and no next-server anywhere', () => {
    const cfg = text({
      reservations: [{ 'hw-address': '02:00:00:ff:00:00', 'ip-address': '198.18.0.1', 'boot-file-name': 'pxelinux.0' }],
      subnet4: [subnet(1, { 'reservations-global': true })],
    });
    expect(warnings(cfg, 'BOOT_SIADDR_CHANGED').map((d) => d.args.file)).toEqual(['pxelinux.0']);
  });

  it('fires for a subnet inheriting a file without next-server even when a sibling has one', () => {
    const cfg = text({
      'shared-networks': [
        {
          name: 'net A',
          'boot-file-name': 'efi/a.efi',
          subnet4: [subnet(1, { 'next-server': '192.0.2.7' }), subnet(2)],
        },
      ],
    });
    const found = warnings(cfg, 'BOOT_SIADDR_CHANGED');
    expect(found).toHaveLength(1);
    expect(found[0]!.args.file).toBe('efi/a.efi');
  });

  it('stays silent where every subnet has a next-server', () => {
    const cfg = text({ 'boot-file-name': 'efi/a.efi', 'next-server': '192.0.2.7', subnet4: [subnet(1), subnet(2)] });
    expect(warnings(cfg, 'BOOT_SIADDR_CHANGED')).toEqual([]);
  });
});

describe('BOOT_SNAME_NOT_CARRIED', () => {
  it('fires for a reservation server-hostname with no boot file to go with it', () => {
    const cfg = text({
      subnet4: [subnet(1, { reservations: [{ 'hw-address': '02:00:00:01:00:00', 'ip-address': '198.18.0.1', 'server-hostname': 'boot.example.org' }] })],
    });
    expect(warnings(cfg, 'BOOT_SNAME_NOT_CARRIED').map((d) => d.args.name)).toEqual(['boot.example.org']);
  });

  it('fires once for a global server-hostname without a file, and not when a file applies', () => {
    expect(warnings(text({ 'server-hostname': 'tftp1', subnet4: [subnet(1), subnet(2)] }), 'BOOT_SNAME_NOT_CARRIED')).toHaveLength(1);
    expect(warnings(text({ 'server-hostname': 'tftp1', 'boot-file-name': 'a.efi', 'next-server': '192.0.2.7', subnet4: [subnet(1)] }), 'BOOT_SNAME_NOT_CARRIED')).toEqual([]);
  });
});

describe('address-less global reservations', () => {
  const reservation = { 'hw-address': '02:00:00:ff:00:00', 'option-data': [{ name: 'domain-name', data: 'lan' }] };

  it('GLOBAL_RESERVATION_EVERYWHERE names the subnets where Kea would not use it', () => {
    const cfg = text({
      'reservations-global': true,
      reservations: [reservation],
      subnet4: [subnet(1, { 'reservations-global': false, pools: [{ pool: '198.18.0.10 - 198.18.0.20' }] }), subnet(2, { pools: [{ pool: '198.18.1.10 - 198.18.1.20' }] })],
    });
    const found = warnings(cfg, 'GLOBAL_RESERVATION_EVERYWHERE');
    expect(found).toHaveLength(1);
    expect(found[0]!.args).toMatchObject({ kind: 'hw-address', value: '02:00:00:ff:00:00', subnets: '198.18.0.0/24' });
  });

  it('GLOBAL_RESERVATIONS_UNUSED when reservations-global is on globally but off in every subnet', () => {
    const cfg = text({ 'reservations-global': true, reservations: [reservation], subnet4: [subnet(1, { 'reservations-global': false })] });
    const r = compileText(cfg);
    expect(r.diagnostics.map((d) => d.code)).toContain('GLOBAL_RESERVATIONS_UNUSED');
    expect(r.files.some((f) => f.contents.includes('02:00:00:ff:00:00'))).toBe(false);
  });

  it('GLOBAL_RESERVATION_BOOT_SCOPE when a subnet would fill boot fields the reservation leaves unset', () => {
    const cfg = text({
      reservations: [{ 'hw-address': '02:00:00:ff:00:00', 'next-server': '192.0.2.9', 'boot-file-name': 'pxelinux.0' }],
      'shared-networks': [{ name: 'net B', 'server-hostname': 'tftp1', subnet4: [subnet(1, { 'reservations-global': true })] }],
    });
    const found = warnings(cfg, 'GLOBAL_RESERVATION_BOOT_SCOPE');
    expect(found).toHaveLength(1);
    expect(found[0]!.args.subnets).toBe('198.18.0.0/24');
    // Setting all three on the reservation leaves nothing to inherit.
    const full = cfg.replace('"boot-file-name": "pxelinux.0"', '"boot-file-name": "pxelinux.0", "server-hostname": "own"');
    expect(warnings(full, 'GLOBAL_RESERVATION_BOOT_SCOPE')).toEqual([]);
  });
});
