/**
 * A small XML well-formedness check (XML 1.0 §2.1 "well-formed document", the subset an SVG
 * generator can produce): an optional declaration, comments, one root element, properly nested
 * and closed tags, quoted unique attributes, no raw `<` or stray `&` in text or attribute
 * values, only the five predefined entities or numeric character references. Returns the
 * problems found (empty when well-formed) with 1-based line numbers. Not a validating parser.
 */
const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/;

export function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const line = (at: number) => text.slice(0, at).split('\n').length;
  const fail = (at: number, what: string) => problems.push(`line ${line(at)}: ${what}`);

  const checkText = (s: string, at: number) => {
    for (let k = s.indexOf('&'); k >= 0; k = s.indexOf('&', k + 1)) {
      if (!ENTITY.test(s.slice(k))) fail(at + k, 'stray "&" (not an entity reference)');
    }
  };

  if (text.startsWith('<?xml')) {
    const end = text.indexOf('?>');
    if (end < 0) return ['line 1: XML declaration not closed'];
    i = end + 2;
  }
  while (i < text.length && problems.length < 20) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? text.length : lt);
    if (chunk.includes('>')) fail(i + chunk.indexOf('>'), 'stray ">" in text');
    checkText(chunk, i);
    if (stack.length === 0 && chunk.trim() !== '') fail(i, 'text outside the root element');
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) {
        fail(i, 'comment not closed');
        break;
      }
      if (text.slice(i + 4, end).includes('--')) fail(i, '"--" inside a comment');
      i = end + 3;
      continue;
    }
    if (text.startsWith('<?', i) || text.startsWith('<!', i)) {
      fail(i, 'processing instruction, DOCTYPE or CDATA where this check does not expect one');
      break;
    }
    const closing = text[i + 1] === '/';
    let j = i + (closing ? 2 : 1);
    const name = NAME.exec(text.slice(j))?.[0];
    if (!name) {
      fail(i, 'a "<" that does not start a tag');
      break;
    }
    j += name.length;
    if (closing) {
      const m = /^\s*>/.exec(text.slice(j));
      if (!m) fail(j, `malformed closing tag </${name}`);
      const open = stack.pop();
      if (open !== name) fail(i, `</${name}> closes <${open ?? 'nothing'}>`);
      i = j + (m?.[0].length ?? 0);
      continue;
    }
    if (stack.length === 0) roots++;
    const attrs = new Set<string>();
    for (;;) {
      const ws = /^\s*/.exec(text.slice(j))![0];
      j += ws.length;
      if (text.startsWith('/>', j)) {
        j += 2;
        break;
      }
      if (text[j] === '>') {
        j += 1;
        stack.push(name);
        break;
      }
      if (ws === '') {
        fail(j, `expected whitespace, ">" or "/>" in <${name}>`);
        return problems;
      }
      const attr = /^([A-Za-z_:][A-Za-z0-9_.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/.exec(text.slice(j));
      if (!attr) {
        fail(j, `malformed attribute in <${name}>`);
        return problems;
      }
      if (attrs.has(attr[1]!)) fail(j, `attribute ${attr[1]} repeated in <${name}>`);
      attrs.add(attr[1]!);
      checkText(attr[3] ?? attr[4] ?? '', j);
      j += attr[0].length;
    }
    i = j;
  }
  if (stack.length > 0) problems.push(`end of document: <${stack.join('>, <')}> not closed`);
  if (roots !== 1) problems.push(`expected exactly one root element, found ${roots}`);
  return problems;
}
