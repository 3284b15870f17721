/**
 * The results map as the console shows it: JSON, indented like
 * `JSON.stringify(r, null, 2)`, except that an array of plain values
 * (numbers, strings, booleans, null) is packed onto lines of at most
 * `width` characters, as Clojure's pprint packs a vector in Maelstrom's
 * output. A broadcast run's `stale` list of a thousand values then takes a
 * dozen lines instead of a thousand; nothing is left out, and the text
 * still parses as the same JSON.
 */
const DEFAULT_WIDTH = 100;

export function resultsText(value: unknown, width = DEFAULT_WIDTH): string {
  return render(value, '', width);
}

function render(v: unknown, indent: string, width: number): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const inner = indent + '  ';
    if (v.every(isPlain)) return packed(v.map((x) => JSON.stringify(x) ?? 'null'), indent, width);
    return `[\n${v.map((x) => inner + render(x, inner, width)).join(',\n')}\n${indent}]`;
  }
  if (typeof v === 'object' && v !== null) {
    // Keys whose value JSON leaves out (undefined, functions) are left out here too.
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => JSON.stringify(x) !== undefined);
    if (entries.length === 0) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${render(x, inner, width)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function isPlain(x: unknown): boolean {
  return x === null || typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean';
}

/** `[a, b, c]` on one line when it fits, else the items filled onto indented lines. */
function packed(items: string[], indent: string, width: number): string {
  const oneLine = `[${items.join(', ')}]`;
  if (indent.length + oneLine.length <= width) return oneLine;
  const inner = indent + '  ';
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line === '' ? item : `${line}, ${item}`;
    if (line !== '' && inner.length + next.length + 1 > width) {
      lines.push(line + ',');
      line = item;
    } else {
      line = next;
    }
  }
  lines.push(line);
  return `[\n${lines.map((l) => inner + l).join('\n')}\n${indent}]`;
}
