/**
 * Is a text prose at all (issue 48)? The text models were trained on prose; code, tables, lists of links
 * and text made mostly of numbers and symbols are outside what they know, and their answers on them are
 * made up. notProse() names the kind of such a text, or null for prose. Rules, on the text's non-empty
 * lines (a "line" below) and its whitespace-separated tokens:
 * - code: at least 3 lines, and at least half of the lines' characters are on lines that look like code:
 *   inside a ``` fence, or at most 160 characters long and ending in ; { or }, a lone closing bracket, a
 *   comment opener, an assignment `name = value`, a call statement `a.b(...)`, a keyword of a programming
 *   language with code punctuation or a closing ":", or markup tags at both ends
 * - table: at least 3 lines, and at least half of the lines' characters are on rows (2+ | separators or
 *   2+ tabs between text), or at least 4 lines of which 80% have the same number (2+) of commas, with
 *   short cells (CSV)
 * - url_list: at least 3 URLs, and they are at least 30% of the tokens or on at least 60% of the lines
 * - symbols: at least 40 non-space characters, and fewer than half of them are letters (numbers, symbols)
 * The thresholds were set so that prose almost never trips them (bench/RESULTS.md, section 12, measures how
 * often each fires on the model card's human and LLM texts).
 */

export type NotProseKind = 'code' | 'table' | 'url_list' | 'symbols';

export interface NotProse {
  kind: NotProseKind;
  /** the share (0-1) of lines, tokens or characters the rule found of that kind */
  share: number;
}

const KEYWORD =
  /^\s*(def|class|import|from|return|if|elif|else|for|while|try|except|finally|with|const|let|var|function|async|await|public|private|protected|static|void|int|char|#include|#define|package|using|namespace|fn|func|struct|enum|impl|switch|case|break|continue|throw|new|lambda|print|echo|SELECT|FROM|WHERE|INSERT|UPDATE|CREATE)\b/;
/** a longer line is prose, whatever it ends with */
const MAX_CODE_LINE = 160;
const CODE_PUNCT = /[(){}[\];=<>]|:\s*$/;

function codeLine(line: string): boolean {
  const l = line.trimEnd();
  if (/[;{]$/.test(l) || /^\s*[}\])]+[;,)]*$/.test(l) || /}$/.test(l)) return true;
  if (/^\s*(\/\/|\/\*|\*\/|#!|<!--)/.test(l)) return true;
  if (/^\s*[A-Za-z_$][\w$.[\]'"]*\s*([+\-*/%|&]|\*\*|\/\/)?=\s*[^=\s]/.test(l)) return true;
  if (/^\s*[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+\(.*\)\s*;?$/.test(l)) return true;
  if (KEYWORD.test(l) && CODE_PUNCT.test(l)) return true;
  if (/^\s*<\/?[a-zA-Z][\w-]*(\s[^>]*)?\/?>/.test(l) && /<\/?[a-zA-Z][\w-]*[^>]*>\s*$/.test(l)) return true;
  return false;
}

/** the share of the lines' characters that are on lines of the kind (long prose lines weigh what they hold) */
function weighted(lines: string[], is: (line: string, i: number) => boolean): number {
  let all = 0;
  let hit = 0;
  lines.forEach((l, i) => {
    const n = l.trim().length;
    all += n;
    if (is(l, i)) hit += n;
  });
  return all > 0 ? hit / all : 0;
}

function codeShare(lines: string[]): number {
  let fenced = false;
  const inFence = lines.map((l) => {
    if (/^\s*```/.test(l)) {
      fenced = !fenced;
      return true;
    }
    return fenced;
  });
  return weighted(lines, (l, i) => inFence[i] || (l.length <= MAX_CODE_LINE && codeLine(l)));
}

function tableShare(lines: string[]): number {
  let share = weighted(lines, (l) => (l.match(/\|/g)?.length ?? 0) >= 2 || l.trim().split(/\t+/).length >= 3);
  if (lines.length >= 4) {
    const counts = new Map<number, number>();
    for (const l of lines) {
      const c = l.match(/,/g)?.length ?? 0;
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const [commas, many] = [...counts].sort((a, b) => b[1] - a[1])[0];
    const cells = lines.flatMap((l) => l.split(','));
    const meanCell = cells.reduce((a, c) => a + c.trim().length, 0) / cells.length;
    if (commas >= 2 && many / lines.length >= 0.8 && meanCell < 20) share = Math.max(share, many / lines.length);
  }
  return share;
}

const URL = /^(\(|<|\[)?(https?:\/\/|www\.)\S+$/i;

/** The kind of non-prose the text is, or null when it reads as prose (rules in the file's comment). */
export function notProse(text: string): NotProse | null {
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  const tokens = text.match(/\S+/g) ?? [];
  if (tokens.length === 0) return null;
  if (lines.length >= 3) {
    const code = codeShare(lines);
    if (code >= 0.5) return { kind: 'code', share: round(code) };
    const table = tableShare(lines);
    if (table >= 0.5) return { kind: 'table', share: round(table) };
  }
  const urls = tokens.filter((t) => URL.test(t)).length;
  if (urls >= 3) {
    const byToken = urls / tokens.length;
    const byLine = lines.filter((l) => /(https?:\/\/|www\.)\S/i.test(l)).length / lines.length;
    if (byToken >= 0.3 || (lines.length >= 3 && byLine >= 0.6)) return { kind: 'url_list', share: round(Math.max(byToken, byLine)) };
  }
  const chars = text.replace(/\s+/g, '');
  if (chars.length >= 40) {
    const letters = chars.match(/\p{L}/gu)?.length ?? 0;
    const share = 1 - letters / chars.length;
    if (share > 0.5) return { kind: 'symbols', share: round(share) };
  }
  return null;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
