/**
 * Read generated dnsmasq config lines back the way dnsmasq 2.90 does (src/option.c read_file and
 * split_chr): inside "..." the escapes \\ \" \t \n \r \b \e become characters and every character
 * is "hidden" (commas, '#', spaces lose their meaning); outside quotes whitespace is a blank, a '#'
 * after a blank (or at the start) begins a comment; the directive is the text before the first
 * '='; its arguments are split on unhidden commas with blanks around them trimmed. Option values
 * are checked byte for byte with dnsmasqOptionBytes (src/options/dnsmasq-value.ts).
 */

export interface ReadLine {
  /** The directive (`dhcp-option`), or undefined for a blank / comment-only line. */
  key: string | undefined;
  /** The text after `=` exactly as in the file (for dnsmasqOptionBytes). */
  rawArg: string;
  /** The arguments as dnsmasq sees them after unquoting. */
  args: string[];
  /** Per argument: does it start with four unquoted characters (so `tag:` there is a tag)? */
  plainStart: boolean[];
}

interface Ch {
  c: string;
  hidden: boolean;
}

const ESC: Record<string, string> = { '"': '"', '\\': '\\', t: '\t', n: '\n', r: '\r', b: '\b', e: '\x1b' };

/** One line of a config file (no line break in it), or of a hostsfile/optsfile when `bare`. */
export function readDnsmasqLine(line: string, bare = false): ReadLine {
  if (line.includes('\n')) throw new Error('readDnsmasqLine: one line only');
  const out: Ch[] = [];
  let white = true;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && ESC[line[j + 1]!] !== undefined) {
          out.push({ c: ESC[line[j + 1]!]!, hidden: true });
          j++;
        } else out.push({ c: line[j]!, hidden: true });
      }
      if (j >= line.length) throw new Error(`missing " in ${JSON.stringify(line)}`);
      i = j;
      white = false;
      continue;
    }
    if (/\s/.test(c)) {
      out.push({ c: ' ', hidden: false });
      white = true;
      continue;
    }
    if (white && c === '#') break;
    white = false;
    out.push({ c, hidden: false });
  }
  while (out.length > 0 && out[0]!.c === ' ' && !out[0]!.hidden) out.shift();
  while (out.length > 0 && out[out.length - 1]!.c === ' ' && !out[out.length - 1]!.hidden) out.pop();
  if (out.length === 0) return { key: undefined, rawArg: '', args: [], plainStart: [] };
  let argStart = 0;
  let key: string | undefined = 'bare';
  if (!bare) {
    const eq = out.findIndex((x) => x.c === '=' && !x.hidden);
    if (eq < 0) {
      key = out.map((x) => x.c).join('');
      argStart = out.length;
    } else {
      key = out
        .slice(0, eq)
        .map((x) => x.c)
        .join('')
        .trim();
      argStart = eq + 1;
    }
  }
  const args: string[] = [];
  const plainStart: boolean[] = [];
  let cur: Ch[] = [];
  const flush = () => {
    while (cur.length > 0 && cur[0]!.c === ' ' && !cur[0]!.hidden) cur.shift();
    while (cur.length > 0 && cur[cur.length - 1]!.c === ' ' && !cur[cur.length - 1]!.hidden) cur.pop();
    args.push(cur.map((x) => x.c).join(''));
    plainStart.push(cur.length >= 4 && cur.slice(0, 4).every((x) => !x.hidden));
    cur = [];
  };
  const rest = out.slice(argStart);
  if (rest.length > 0) {
    for (const x of rest) {
      if (x.c === ',' && !x.hidden) flush();
      else cur.push(x);
    }
    flush();
  }
  const rawEq = bare ? -1 : line.indexOf('=');
  return { key, rawArg: bare ? line.trim() : line.slice(rawEq + 1).trim(), args, plainStart };
}

/** Every directive line of a file, with its 1-based line number. */
export function readDnsmasqFile(text: string, bare = false): (ReadLine & { line: number })[] {
  return text
    .split('\n')
    .map((l, i) => ({ ...readDnsmasqLine(l, bare), line: i + 1 }))
    .filter((l) => l.key !== undefined);
}

/** The leading tag:/set: arguments and the rest. */
export function splitTags(l: Pick<ReadLine, 'args' | 'plainStart'>): { tags: string[]; sets: string[]; rest: string[] } {
  const { args } = l;
  const tags: string[] = [];
  const sets: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (!l.plainStart[i]) break;
    if (a.startsWith('tag:')) tags.push(a.slice(4));
    else if (a.startsWith('set:')) sets.push(a.slice(4));
    else break;
  }
  return { tags, sets, rest: args.slice(i) };
}
