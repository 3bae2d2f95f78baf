// A small Rhai highlighter for CodeMirror 6 (a StreamLanguage: comments, strings, numbers,
// keywords, the `form[...]` access the rules use).

import { StreamLanguage } from '@codemirror/language';

const KEYWORDS = new Set([
  'let', 'const', 'if', 'else', 'switch', 'do', 'while', 'loop', 'until', 'for', 'in', 'break',
  'continue', 'return', 'throw', 'try', 'catch', 'fn', 'private', 'import', 'export', 'as', 'global',
  'is_shared', 'this',
]);
const ATOMS = new Set(['true', 'false', '()']);

export const rhai = StreamLanguage.define({
  name: 'rhai',
  startState: () => ({ comment: 0 }),
  token(stream, state) {
    if (state.comment > 0) {
      while (!stream.eol()) {
        if (stream.match('*/')) { state.comment -= 1; if (state.comment === 0) break; }
        else if (stream.match('/*')) state.comment += 1;
        else stream.next();
      }
      return 'comment';
    }
    if (stream.eatSpace()) return null;
    if (stream.match('//')) { stream.skipToEnd(); return 'comment'; }
    if (stream.match('/*')) { state.comment = 1; return 'comment'; }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^`[^`]*`?/)) return 'string';
    if (stream.match(/^'(?:[^'\\]|\\.)'/)) return 'string';
    if (stream.match(/^0x[0-9a-fA-F_]+/) || stream.match(/^\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?/)) return 'number';
    if (stream.match(/^[A-Za-z_][A-Za-z0-9_]*/)) {
      const w = stream.current();
      if (KEYWORDS.has(w)) return 'keyword';
      if (ATOMS.has(w)) return 'atom';
      if (w === 'form' || w === 'date' || w === 'materials') return 'typeName';
      if (stream.peek() === '(') return 'variableName.function';
      return 'variableName';
    }
    if (stream.match(/^(==|!=|<=|>=|&&|\|\||[-+*/%<>!=&|^?:.])/)) return 'operator';
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } } },
});
