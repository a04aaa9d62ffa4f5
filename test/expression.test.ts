/** Kea class test expressions: what converts, to which atoms and DNF, and what is refused. */
import { describe, expect, it } from 'vitest';
import { ExprError, parseExpression, toDnf, type Literal } from '../src/kea/expression.js';

const show = (dnf: Literal[][]) =>
  dnf.map((conj) =>
    conj.map((l) => {
      const a = l.atom;
      const body =
        a.kind === 'option'
          ? `opt${a.code}=${Buffer.from(a.bytes).toString('hex')}${a.exact ? '' : '*'}`
          : a.kind === 'arch'
            ? `arch=${a.value}`
            : a.kind === 'exists'
              ? `opt${a.code}?`
              : a.kind === 'mac'
                ? `mac=${Buffer.from(a.bytes).toString('hex')}${a.prefix ? '*' : ''}`
                : a.kind === 'relay'
                  ? `relay${a.sub}=${Buffer.from(a.bytes).toString('hex')}`
                  : a.kind === 'member'
                    ? `member(${a.name})`
                    : String(a.value);
      return `${l.negated ? '!' : ''}${body}`;
    }),
  );

const converts: [string, string, string[][]][] = [
  ['vendor class prefix', "substring(option[60].hex,0,9) == 'PXEClient'", [['opt60=505845436c69656e74']]],
  ['whole option compared: prefix match, flagged inexact', "option[60].text == 'docsis3.0'", [['opt60=646f63736973332e30*']]],
  ['substring length differs from the literal: never true', "substring(option[60].hex,0,4) == 'PXEClient'", [['false']]],
  ['client architecture', 'option[93].hex == 0x0007', [['arch=7']]],
  ['option exists', 'option[82].exists', [['opt82?']]],
  ['MAC exact', 'pkt4.mac == 0x010203040506', [['mac=010203040506']]],
  ['MAC prefix', 'substring(pkt4.mac,0,3) == 0x00085d', [['mac=00085d*']]],
  ['relay circuit-id', "relay4[1].hex == 'port7'", [['relay1=706f727437']]],
  ['relay remote-id', 'relay4[2].hex == 0x0102', [['relay2=0102']]],
  ['member and known', "member('a') and known", [['member(a)', 'member(KNOWN)']]],
  ['or gives two terms', "member('a') or member('b')", [['member(a)'], ['member(b)']]],
  ['not over and (De Morgan)', "not (member('a') and member('b'))", [['!member(a)'], ['!member(b)']]],
  ['and over or distributes', "(member('a') or member('b')) and not member('c')", [['member(a)', '!member(c)'], ['member(b)', '!member(c)']]],
  ['constant test', "'' == ''", [['true']]],
];

const refused: [string, string][] = [
  ['pkt4 fields other than mac', 'pkt4.msgtype == 1'],
  ['substring not at 0', "substring(option[60].hex,2,3) == 'abc'"],
  ['one-byte option match', "option[77].hex == 'a'"],
  ['comparing two fields', 'option[60].hex == option[77].hex'],
  ['unknown functions', "lcase(option[60].text) == 'x'"],
  ['relay sub-options other than 1 and 2', "relay4[5].hex == 'x'"],
  ['unterminated string', "option[60].hex == 'x"],
  ['IP literals', 'pkt4.giaddr == 10.0.0.1'],
];

describe('Kea class expressions', () => {
  for (const [name, src, want] of converts) {
    it(`converts ${name}`, () => expect(show(toDnf(parseExpression(src)))).toEqual(want));
  }
  for (const [name, src] of refused) {
    it(`refuses ${name}`, () => expect(() => toDnf(parseExpression(src))).toThrow(ExprError));
  }
});
