import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../src/diagnostics/diagnostic.js';
import { loadKeaConfig, loadKeaText, type LoadHost } from '../src/load/load.js';
import { parseJson } from '../src/load/parse-json.js';

/** Text whose line N is the N-th argument: line numbers in assertions can be read off the call. */
const lines = (...ls: string[]): string => ls.join('\n');

const tempRoots: string[] = [];
afterAll(() => {
  for (const root of tempRoots) rmSync(root, { recursive: true, force: true });
});

/** Write `files` (relative path -> contents) into a fresh temp dir and return the dir. */
function project(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'kea2dnsmasq-load-'));
  tempRoots.push(root);
  for (const [name, contents] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), contents);
  }
  return root;
}

/** code @ file:line:col, the shape most assertions compare. */
const where = (d: Diagnostic | undefined): string =>
  d === undefined ? 'none' : `${d.code} @ ${d.at?.file}:${d.at?.line}:${d.at?.column}`;

describe('comments', () => {
  it('blanks #, // and /* */ comments outside strings and keeps them inside strings', () => {
    const text = lines(
      '# a hash comment line',
      '{ // a slash comment',
      '  /* a block',
      '     comment */ "Dhcp4": {',
      '    "url": "http://x/y", # trailing hash',
      '    "hash": "a#b", // trailing slashes',
      '    "block": "/* no */",',
      '    "dir": "<?include \\"nope.json\\"?>",',
      '    "n": 1#glued',
      '  }',
      '}',
    );
    const { source, diagnostics } = loadKeaText(text, 'kea.conf');
    expect(diagnostics).toEqual([]);
    expect(source?.value).toEqual({
      Dhcp4: { url: 'http://x/y', hash: 'a#b', block: '/* no */', dir: '<?include "nope.json"?>', n: 1 },
    });
    // Blanking keeps every offset and line break in place.
    expect(source?.text.length).toBe(text.length);
    expect(source?.text.split('\n')).toHaveLength(11);
    expect(source?.text.split('\n')[0]?.trim()).toBe('');
  });

  it('reports an unclosed block comment where it opens', () => {
    const { diagnostics } = loadKeaText(lines('{', '  "a": 1 /* open', '}'), 'kea.conf');
    expect(diagnostics.map(where)).toEqual(['COMMENT_NOT_CLOSED @ kea.conf:2:10']);
  });

  it('ignores an include directive inside a comment', () => {
    const { source, diagnostics } = loadKeaText('{ # <?include "missing.json"?>\n "a": 1 }', 'kea.conf');
    expect(diagnostics).toEqual([]);
    expect(source?.value).toEqual({ a: 1 });
  });

  it('ends an unclosed string at its line break, as Kea-style scanning does, and finds the comments after it', () => {
    // The unclosed string swallows the '#' on its own line only; the next line's '#' is a comment.
    const text = lines('{ "a": "x # in string', '  # a comment', '}');
    const { source, diagnostics } = loadKeaText(text, 'kea.conf');
    expect(source?.text).toBe(lines('{ "a": "x # in string', ' '.repeat('  # a comment'.length), '}'));
    expect(diagnostics[0]?.code).toBe('JSON_SYNTAX');
  });

  it('keeps a string going past a backslash before the line break, as jsonc-parser does', () => {
    const text = lines('{ "a": "x\\', '# in string" }');
    const { source } = loadKeaText(text, 'kea.conf');
    expect(source?.text).toBe(text);
  });
});

describe('JSON syntax', () => {
  it('accepts trailing commas in maps and lists without a diagnostic', () => {
    const { source, diagnostics } = loadKeaText('{ "a": [1, 2, ], "b": { "c": true, }, }', 'kea.conf');
    expect(diagnostics).toEqual([]);
    expect(source?.value).toEqual({ a: [1, 2], b: { c: true } });
  });

  it('reads a config with trailing commas through JSON.parse, with the same values and positions', () => {
    const text = lines(
      '{',
      '  "list": [ { "a": 1, }, [ 2, ], "x,]", ],',
      '  "s": "y, }", // a comment, }',
      '  "t": { "u": "\\\\", },',
      '}',
    );
    const parsed = parseJson(loadKeaText(text, 'kea.conf').source?.text ?? '');
    expect(parsed.strictJson).toBe(true);
    const { source, diagnostics } = loadKeaText(text, 'kea.conf');
    expect(diagnostics).toEqual([]);
    expect(source?.value).toEqual({ list: [{ a: 1 }, [2], 'x,]'], s: 'y, }', t: { u: '\\' } });
    // The text keeps its commas; positions match jsonc-parser's parse tree.
    expect(source?.text).toContain('"x,]", ],');
    expect(source?.locate(['list', 2])).toMatchObject({ at: { line: 2, column: 34 }, length: 5 });
    expect(source?.locate(['list', 1, 0])).toMatchObject({ at: { line: 2, column: 28 }, length: 1 });
    expect(source?.locate(['t', 'u'], true)).toMatchObject({ at: { line: 4, column: 10 }, length: 3 });
    expect(source?.locate(['list', 3])).toBeUndefined();
  });

  it('leaves a comma right after an opening bracket to the syntax check', () => {
    const { source, diagnostics } = loadKeaText('{ "a": [,], "b": {,} }', 'kea.conf');
    expect(diagnostics[0]).toMatchObject({ code: 'JSON_SYNTAX', args: { problem: 'value expected' } });
    expect(source?.value).toBeUndefined();
  });

  it.each([
    ['a missing comma', lines('{', '  "a": 1', '  "b": 2', '}'), 'expected a comma', 3, 3],
    ['a missing colon', lines('{', '  "a" 1', '}'), "expected ':'", 2, 7],
    ['a missing value', lines('{', '  "a": ,', '}'), 'value expected', 2, 8],
    ['a bare word key', lines('{', '  a: 1', '}'), 'unexpected characters', 2, 3],
    ['a value where a key belongs', lines('{', '  "a": 1, 2', '}'), 'property name expected', 2, 11],
    ['a capitalised keyword', lines('{', '  "a": True', '}'), 'unexpected characters', 2, 8],
    ['an unclosed map', lines('{', '  "a": 1'), 'unexpected end of file', 2, 9],
  ])('reports %s at its line:col', (_name, text, problem, line, column) => {
    const { source, diagnostics } = loadKeaText(text, 'kea.conf');
    expect(diagnostics[0]).toMatchObject({ code: 'JSON_SYNTAX', severity: 'error', args: { problem } });
    expect(diagnostics[0]?.at).toMatchObject({ file: 'kea.conf', line, column });
    expect(source?.value).toBeUndefined();
  });

  it('reports at most three syntax errors', () => {
    const { diagnostics } = loadKeaText('{ "a" 1 "b" 2 "c" 3 "d" 4 "e" 5 }', 'kea.conf');
    expect(diagnostics.length).toBeLessThanOrEqual(3);
    expect(diagnostics.every((d) => d.code === 'JSON_SYNTAX')).toBe(true);
  });

  it('reports a duplicate key at the second occurrence, pointing back at the first', () => {
    const text = lines(
      '{ "Dhcp4": {',
      '    "valid-lifetime": 4000,',
      '    "subnet4": [],',
      '    "valid-lifetime": 7200',
      '} }',
    );
    const { source, diagnostics } = loadKeaText(text, 'kea.conf');
    expect(diagnostics.map(where)).toEqual(['DUPLICATE_KEY @ kea.conf:4:5']);
    expect(diagnostics[0]?.args).toEqual({ key: 'valid-lifetime' });
    expect(diagnostics[0]?.length).toBe('"valid-lifetime"'.length);
    expect(diagnostics[0]?.related?.[0]?.path).toEqual(['Dhcp4', 'valid-lifetime']);
    expect(diagnostics[0]?.related?.[0]?.at).toMatchObject({ file: 'kea.conf', line: 2, column: 5 });
    expect(source?.value).toBeDefined();
  });

  it('does not treat the same key in different maps as a duplicate', () => {
    const { diagnostics } = loadKeaText('[{ "id": 1 }, { "id": 2 }, { "x": { "id": 3 } }]', 'kea.conf');
    expect(diagnostics).toEqual([]);
  });

  it('keeps a "__proto__" key as an own property', () => {
    const { source } = loadKeaText('{ "__proto__": { "polluted": true } }', 'kea.conf');
    const value = source?.value as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses 10,000 levels of nesting with a diagnostic instead of a stack overflow', () => {
    const text = '['.repeat(10_000) + ']'.repeat(10_000);
    const result = loadKeaText(text, 'deep.conf');
    expect(result.diagnostics.map(where)).toEqual(['JSON_TOO_DEEP @ deep.conf:1:513']);
    expect(result.source?.value).toBeUndefined();
    expect(result.source?.locate([0, 0])).toBeUndefined();
  });

  it('survives deep nesting after syntax errors too', () => {
    const text = '{ "a" 1 "b" 2 "c" 3, "d": ' + '['.repeat(10_000);
    const result = loadKeaText(text, 'deep.conf');
    expect(result.diagnostics[0]?.code).toBe('JSON_SYNTAX');
    expect(() => result.source?.locate(['d'])).not.toThrow();
  });
});

describe('files', () => {
  it('loads a config from disk and lists it', () => {
    const root = project({ 'kea.conf': '{ "Dhcp4": { "valid-lifetime": 4000 } }' });
    const { source, diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics).toEqual([]);
    expect(source?.value).toEqual({ Dhcp4: { 'valid-lifetime': 4000 } });
    expect(source?.files).toEqual([join(root, 'kea.conf')]);
  });

  it.each([
    ['an empty file', ''],
    ['a whitespace-only file', '  \n\t\n'],
    ['a comment-only file', '# nothing\n// here\n'],
  ])('reports FILE_EMPTY for %s', (_name, contents) => {
    const root = project({ 'kea.conf': contents });
    const path = join(root, 'kea.conf');
    const { diagnostics } = loadKeaConfig(path);
    expect(diagnostics.map(where)).toEqual([`FILE_EMPTY @ ${path}:1:1`]);
    expect(diagnostics[0]?.args).toEqual({ path });
  });

  it('reports a missing main file at 1:1 and returns no source', () => {
    const path = join(project({}), 'nope.conf');
    const result = loadKeaConfig(path);
    expect(result.source).toBeUndefined();
    expect(result.diagnostics.map(where)).toEqual([`FILE_NOT_FOUND @ ${path}:1:1`]);
    expect(result.diagnostics[0]?.args).toEqual({ path });
  });

  it('reports a binary main file', () => {
    const root = project({ 'kea.conf': Buffer.from([0x7b, 0x00, 0x7d]), 'latin1.conf': Buffer.from([0x7b, 0xe9, 0x7d]) });
    expect(loadKeaConfig(join(root, 'kea.conf')).diagnostics.map((d) => d.code)).toEqual(['FILE_NOT_TEXT']);
    expect(loadKeaConfig(join(root, 'latin1.conf')).diagnostics.map((d) => d.code)).toEqual(['FILE_NOT_TEXT']);
  });

  it('reports a file over the size limit', () => {
    const root = project({ 'kea.conf': '{ "a": "' + 'x'.repeat(100) + '" }' });
    const { diagnostics } = loadKeaConfig(join(root, 'kea.conf'), undefined, { maxBytes: 50 });
    expect(diagnostics.map((d) => d.code)).toEqual(['FILE_TOO_LARGE']);
    expect(diagnostics[0]?.args).toMatchObject({ limit: 50 });
  });

  it('reports a directory given as the main file', () => {
    const root = project({ 'sub/x.json': '{}' });
    expect(loadKeaConfig(join(root, 'sub')).diagnostics.map((d) => d.code)).toEqual(['FILE_IS_DIRECTORY']);
  });

  it('turns an unexpected I/O error into FILE_UNREADABLE', () => {
    const host: LoadHost = {
      readFile: () => {
        throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
      },
    };
    const { diagnostics } = loadKeaConfig('/etc/kea/kea-dhcp4.conf', host);
    expect(diagnostics.map(where)).toEqual(['FILE_UNREADABLE @ /etc/kea/kea-dhcp4.conf:1:1']);
    expect(diagnostics[0]?.args).toEqual({ path: '/etc/kea/kea-dhcp4.conf', reason: 'EACCES' });
  });

  it('strips a UTF-8 byte order mark', () => {
    const root = project({ 'kea.conf': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": 1}')]) });
    const { source, diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics).toEqual([]);
    expect(source?.value).toEqual({ a: 1 });
  });
});

describe('includes', () => {
  it('splices a fragment into a map', () => {
    const root = project({
      'kea.conf': lines('{ "Dhcp4": {', '  <?include "subnets.json"?>,', '  "valid-lifetime": 4000', '} }'),
      'subnets.json': '"subnet4": [ { "id": 1, "subnet": "10.0.0.0/24" } ]\n',
    });
    const { source, diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics).toEqual([]);
    expect(source?.value).toEqual({ Dhcp4: { subnet4: [{ id: 1, subnet: '10.0.0.0/24' }], 'valid-lifetime': 4000 } });
    expect(source?.files).toEqual([join(root, 'kea.conf'), join(root, 'subnets.json')]);
  });

  it('splices into a list, with blanks and line breaks inside the directive', () => {
    const root = project({
      'kea.conf': lines('{ "subnet4": [', '  <?include "s1.json"?>,', '  <?  include', '     "s2.json"   ?>', '] }'),
      's1.json': '{ "id": 1 }',
      's2.json': '# second\n{ "id": 2 }',
    });
    const { source, diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics).toEqual([]);
    expect(source?.value).toEqual({ 'subnet4': [{ id: 1 }, { id: 2 }] });
  });

  it('follows nested includes, resolving relative paths against the top-level config directory', () => {
    const root = project({
      'kea.conf': '{ "Dhcp4": { <?include "inc/a.json"?> } }',
      'inc/a.json': '"a": 1, <?include "inc/b.json"?>',
      'inc/b.json': '"b": [ <?include "inc/deeper/c.json"?> ]',
      'inc/deeper/c.json': '"c"',
    });
    const { source, diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics).toEqual([]);
    expect(source?.value).toEqual({ Dhcp4: { a: 1, b: ['c'] } });
    expect(source?.files).toEqual(['kea.conf', 'inc/a.json', 'inc/b.json', 'inc/deeper/c.json'].map((f) => join(root, f)));
  });

  it('maps positions inside an included file to that file', () => {
    const root = project({
      'kea.conf': lines('{', '  "Dhcp4": {', '    <?include "subnets.json"?>', '  }', '}'),
      'subnets.json': lines('# subnets', '"subnet4": [', '  { "id": 1,', '    "subnet": "10.0.0.0/24" }', ']'),
    });
    const { source, diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics).toEqual([]);
    const subnet = source?.locate(['Dhcp4', 'subnet4', 0, 'subnet']);
    expect(subnet?.at).toMatchObject({ file: join(root, 'subnets.json'), line: 4, column: 15 });
    expect(subnet?.length).toBe('"10.0.0.0/24"'.length);
    // And back in the including file after the splice.
    expect(source?.locate(['Dhcp4'])?.at).toMatchObject({ file: join(root, 'kea.conf'), line: 2, column: 12 });
    expect(source?.lineText(join(root, 'subnets.json'), 4)).toBe('    "subnet": "10.0.0.0/24" }');
  });

  it('reports a syntax error inside an included file at its own line:col', () => {
    const root = project({
      'kea.conf': lines('{', '  "Dhcp4": { <?include "bad.json"?> }', '}'),
      'bad.json': lines('"subnet4": [', '  { "id": 1', '    "subnet": "10.0.0.0/24" }', ']'),
    });
    const { diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics.map(where)[0]).toBe(`JSON_SYNTAX @ ${join(root, 'bad.json')}:3:5`);
    expect(diagnostics[0]?.args).toEqual({ problem: 'expected a comma' });
  });

  it('reports a missing include at the directive', () => {
    const root = project({ 'kea.conf': lines('{', '  "Dhcp4": {', '    <?include "nope.json"?>', '  }', '}') });
    const { source, diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics.map(where)).toEqual([`INCLUDE_NOT_FOUND @ ${join(root, 'kea.conf')}:3:5`]);
    expect(diagnostics[0]?.args).toEqual({ path: join(root, 'nope.json') });
    expect(diagnostics[0]?.length).toBe('<?include "nope.json"?>'.length);
    expect(source?.value).toBeUndefined();
  });

  it('reports every missing include, not just the first', () => {
    const root = project({ 'kea.conf': lines('[', '<?include "a.json"?>,', '<?include "b.json"?>', ']') });
    const { diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics.map(where)).toEqual([
      `INCLUDE_NOT_FOUND @ ${join(root, 'kea.conf')}:2:1`,
      `INCLUDE_NOT_FOUND @ ${join(root, 'kea.conf')}:3:1`,
    ]);
  });

  it('reports a directory include', () => {
    const root = project({ 'kea.conf': '{ <?include "dir"?> }', 'dir/x.json': '{}' });
    const { diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics.map(where)).toEqual([`INCLUDE_IS_DIRECTORY @ ${join(root, 'kea.conf')}:1:3`]);
    expect(diagnostics[0]?.args).toEqual({ path: join(root, 'dir') });
  });

  it('reports a binary include', () => {
    const root = project({
      'kea.conf': lines('{', '  "a": [ <?include "blob.bin"?> ]', '}'),
      'blob.bin': Buffer.from([0x31, 0x00, 0x32]),
    });
    const { diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics.map(where)).toEqual([`FILE_NOT_TEXT @ ${join(root, 'kea.conf')}:2:10`]);
    expect(diagnostics[0]?.args).toEqual({ path: join(root, 'blob.bin') });
  });

  it('reports a cycle at the directive that closes it, naming the chain', () => {
    const root = project({
      'kea.conf': '{ <?include "a.json"?> }',
      'a.json': lines('"a": 1,', '<?include "b.json"?>'),
      'b.json': lines('"b": 2,', '', '  <?include "a.json"?>'),
    });
    const { diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics.map(where)).toEqual([`INCLUDE_CYCLE @ ${join(root, 'b.json')}:3:3`]);
    expect(diagnostics[0]?.args).toEqual({
      path: join(root, 'a.json'),
      chain: [join(root, 'a.json'), join(root, 'b.json'), join(root, 'a.json')].join(' -> '),
    });
  });

  it('reports a file that includes itself', () => {
    const root = project({ 'kea.conf': '[ 1, <?include "kea.conf"?> ]' });
    const { diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics.map((d) => d.code)).toEqual(['INCLUDE_CYCLE']);
  });

  it('allows the same file to be included twice side by side', () => {
    const root = project({ 'kea.conf': '[ <?include "x.json"?>, <?include "x.json"?> ]', 'x.json': '{ "x": 1 }' });
    const { source, diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics).toEqual([]);
    expect(source?.value).toEqual([{ x: 1 }, { x: 1 }]);
    expect(source?.files).toEqual([join(root, 'kea.conf'), join(root, 'x.json')]);
  });

  /** kea.conf includes f1.json, which includes f2.json, ... down to f<levels>.json. */
  const chainOf = (levels: number): Record<string, string> => {
    const files: Record<string, string> = { 'kea.conf': '[ <?include "f1.json"?> ]' };
    for (let i = 1; i < levels; i++) files[`f${i}.json`] = `${i}, <?include "f${i + 1}.json"?>`;
    files[`f${levels}.json`] = `${levels}`;
    return files;
  };

  it('allows 10 nested includes', () => {
    const root = project(chainOf(10));
    const { source, diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics).toEqual([]);
    expect(source?.value).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('refuses an 11th nested include at its directive', () => {
    const root = project(chainOf(11));
    const { diagnostics } = loadKeaConfig(join(root, 'kea.conf'));
    expect(diagnostics.map(where)).toEqual([`INCLUDE_TOO_DEEP @ ${join(root, 'f10.json')}:1:5`]);
    expect(diagnostics[0]?.args).toEqual({ path: join(root, 'f11.json'), limit: 10 });
  });

  it('honours a lower maxIncludeDepth', () => {
    const root = project(chainOf(3));
    const { diagnostics } = loadKeaConfig(join(root, 'kea.conf'), undefined, { maxIncludeDepth: 2 });
    expect(diagnostics.map(where)).toEqual([`INCLUDE_TOO_DEEP @ ${join(root, 'f2.json')}:1:4`]);
  });

  it('reports a malformed directive', () => {
    const { diagnostics } = loadKeaText(lines('{', '  <?inclde "x.json"?>', '}'), 'kea.conf');
    expect(diagnostics.map(where)).toEqual(['INCLUDE_MALFORMED @ kea.conf:2:3']);
  });

  it('resolves includes of loadKeaText against the directory of its file name', () => {
    const root = project({ 'part.json': '"a": 1' });
    const { source, diagnostics } = loadKeaText('{ <?include "part.json"?> }', join(root, 'stdin.conf'));
    expect(diagnostics).toEqual([]);
    expect(source?.value).toEqual({ a: 1 });
  });
});

describe('locate and positions', () => {
  const text = lines(
    '{',
    '  "Dhcp4": {',
    '    "subnet4": [',
    '      {',
    '        "id": 1,',
    '        "reservations": [',
    '          { "hw-address": "aa:bb:cc:dd:ee:ff", "ip-address": "10.0.0.5" }',
    '        ]',
    '      }',
    '    ]',
    '  }',
    '}',
  );

  it('finds a nested value and its key', () => {
    const { source } = loadKeaText(text, 'kea.conf');
    const path = ['Dhcp4', 'subnet4', 0, 'reservations', 0, 'ip-address'];
    const offset = text.indexOf('"10.0.0.5"');
    expect(source?.locate(path)).toEqual({ at: { file: 'kea.conf', line: 7, column: 62, offset }, length: 10 });
    expect(source?.locate(path, true)).toEqual({ at: { file: 'kea.conf', line: 7, column: 48, offset: offset - 14 }, length: 12 });
    expect(source?.locate(['Dhcp4', 'subnet4', 0, 'reservations', 0])?.at).toMatchObject({ line: 7, column: 11 });
  });

  it('returns undefined for a path that does not exist', () => {
    const { source } = loadKeaText(text, 'kea.conf');
    expect(source?.locate(['Dhcp4', 'subnet4', 1])).toBeUndefined();
    expect(source?.locate(['Dhcp4', 'nope'])).toBeUndefined();
  });

  it('maps offsets and gives line text for code frames, including after CRLF line ends', () => {
    const crlf = '{\r\n  "a": 1,\r\n  "b": x\r\n}';
    const { source, diagnostics } = loadKeaText(crlf, 'win.conf');
    expect(diagnostics.map(where)[0]).toBe('JSON_SYNTAX @ win.conf:3:8');
    expect(source?.lineText('win.conf', 3)).toBe('  "b": x');
    expect(source?.lineText('win.conf', 99)).toBe('');
    expect(source?.positionAt(crlf.indexOf('"a"'))).toEqual({ file: 'win.conf', line: 2, column: 3, offset: 5 });
  });
});
