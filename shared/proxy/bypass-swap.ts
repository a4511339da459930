/**
 * After a restore the Services machine has a new address: the proxy files'
 * bypass lists (NO_PROXY / no_proxy, comma-separated, and Java's
 * -Dhttp.nonProxyHosts, `|`-separated) still name the old one. This swaps
 * exactly the list elements equal to an old address for the new one and
 * leaves every other byte alone: other entries, quotes, comments, the
 * proxy URLs. Pure, so the restore step and the unit tests share it.
 *
 * It reads the three shapes Drydock's proxy files have: `NO_PROXY="…"`
 * (optionally `export`), JVM_OPTS words, and the Docker drop-in's
 * `Environment="NO_PROXY=…"`. A line that is a comment is left as it is.
 */

export interface AddressSwap {
  from: string;
  to: string;
}

/** The start of a bypass list and its separator; the list runs to a quote, a space or the line's end. */
const LIST_START = /((?:^|[\s"'])(?:export\s+)?no_proxy=["']?)|(-Dhttp\.nonProxyHosts=)/gi;

function swapList(list: string, separator: string, swaps: AddressSwap[]): string {
  return list
    .split(separator)
    .map((element) => {
      const s = swaps.find((x) => x.from && x.to && element === x.from);
      return s ? s.to : element;
    })
    .join(separator);
}

function swapLine(line: string, swaps: AddressSwap[]): string {
  if (/^\s*[#;]/.test(line)) return line;
  let out = '';
  let last = 0;
  for (let m = LIST_START.exec(line); m; m = LIST_START.exec(line)) {
    const start = m.index + m[0].length;
    const end = start + /^[^\s"']*/.exec(line.slice(start))![0].length;
    out += line.slice(last, start) + swapList(line.slice(start, end), m[1] !== undefined ? ',' : '|', swaps);
    last = end;
    LIST_START.lastIndex = end;
  }
  LIST_START.lastIndex = 0;
  return out + line.slice(last);
}

/** The file with every bypass-list element equal to an old address replaced by the new one (same string when nothing names it). */
export function swapBypassAddresses(text: string, swaps: AddressSwap[]): string {
  const useful = swaps.filter((s) => s.from && s.to && s.from !== s.to);
  if (!useful.length) return text;
  const out = text.split('\n').map((line) => swapLine(line, useful)).join('\n');
  return out === text ? text : out;
}

/** The bypass-list elements of a file equal to `address` (what is left after a swap, or to list for the admin). */
export function bypassMentions(text: string, address: string): string[] {
  const marker = '\u0000';
  return text.split('\n').filter((line) => swapLine(line, [{ from: address, to: marker }]) !== line).map((l) => l.trim());
}
