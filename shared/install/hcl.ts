/**
 * A small reader for the HCL that Nomad's client config uses: attributes
 * (`key = value`), blocks (`name { … }`), strings, numbers, booleans, lists
 * and inline objects (`{"a" = "1"}`), `#` and `//` comments. Enough to check
 * what a written config.hcl says (servers, telemetry) by meaning rather than
 * by grepping its text. Not HCL2 expressions, heredocs or labelled blocks.
 */

export type HclValue = string | number | boolean | HclValue[] | HclObject;
export interface HclObject {
  [key: string]: HclValue;
}

type Token = { kind: 'str' | 'num' | 'word' | 'punct'; text: string; pos: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch) || ch === ',') {
      if (ch === ',') out.push({ kind: 'punct', text: ',', pos: i });
      i++;
    } else if (ch === '#' || (ch === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (ch === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`HCL: unterminated comment at ${i}`);
      i = end + 2;
    } else if (ch === '"') {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== '"') {
        if (src[j] === '\n') throw new Error(`HCL: newline in string at ${i}`);
        if (src[j] === '\\') {
          const esc = src[j + 1];
          text += esc === 'n' ? '\n' : esc === 't' ? '\t' : esc;
          j += 2;
        } else text += src[j++];
      }
      if (j >= src.length) throw new Error(`HCL: unterminated string at ${i}`);
      out.push({ kind: 'str', text, pos: i });
      i = j + 1;
    } else if (/[-0-9]/.test(ch)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(src.slice(i));
      if (!m) throw new Error(`HCL: bad number at ${i}`);
      out.push({ kind: 'num', text: m[0], pos: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(src.slice(i))!;
      out.push({ kind: 'word', text: m[0], pos: i });
      i += m[0].length;
    } else if ('{}[]='.includes(ch)) {
      out.push({ kind: 'punct', text: ch, pos: i });
      i++;
    } else throw new Error(`HCL: unexpected "${ch}" at ${i}`);
  }
  return out;
}

/** Parse an HCL document into nested objects; a repeated block or key is an error (Nomad's config has none). */
export function parseHcl(src: string): HclObject {
  const t = tokenize(src);
  let p = 0;
  const peek = () => t[p];
  const expect = (text: string) => {
    const tok = t[p++];
    if (!tok || tok.text !== text || tok.kind !== 'punct') throw new Error(`HCL: expected "${text}" at ${tok?.pos ?? 'end'}`);
  };
  const value = (): HclValue => {
    const tok = t[p++];
    if (!tok) throw new Error('HCL: value expected at end');
    if (tok.kind === 'str') return tok.text;
    if (tok.kind === 'num') return Number(tok.text);
    if (tok.kind === 'word' && (tok.text === 'true' || tok.text === 'false')) return tok.text === 'true';
    if (tok.text === '[') {
      const list: HclValue[] = [];
      while (peek() && peek().text !== ']') {
        if (peek().text === ',') {
          p++;
          continue;
        }
        list.push(value());
      }
      expect(']');
      return list;
    }
    if (tok.text === '{') return body('}');
    throw new Error(`HCL: unexpected "${tok.text}" at ${tok.pos}`);
  };
  const body = (end: string | null): HclObject => {
    const obj: HclObject = {};
    for (;;) {
      const tok = peek();
      if (!tok) {
        if (end) throw new Error(`HCL: "${end}" expected at end`);
        return obj;
      }
      if (end && tok.text === end && tok.kind === 'punct') {
        p++;
        return obj;
      }
      if (tok.text === ',') {
        p++;
        continue;
      }
      if (tok.kind !== 'word' && tok.kind !== 'str') throw new Error(`HCL: key expected at ${tok.pos}`);
      p++;
      const key = tok.text;
      if (key in obj) throw new Error(`HCL: "${key}" given twice`);
      if (peek()?.text === '=') {
        p++;
        obj[key] = value();
      } else if (peek()?.text === '{') {
        p++;
        obj[key] = body('}');
      } else throw new Error(`HCL: "=" or "{" expected after ${key}`);
    }
  };
  return body(null);
}
