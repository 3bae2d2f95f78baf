// JSON parsing for the page's own inputs (the submission), with a syntax error's place as
// line:column for an editor marker. The bundle's files are read by the package
// (`Bundle.fromFiles`), which locates its own errors.

/** A problem in one of the files, located for an editor marker. */
export class FileError extends Error {
  constructor(file, message, line, column) {
    super(message);
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

/** JSON.parse with the position of a syntax error turned into line:column. */
export function parseJson(file, text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(e.message);
    let line = 1;
    let column = 1;
    if (m) {
      const before = text.slice(0, Number(m[1]));
      line = before.split('\n').length;
      column = before.length - before.lastIndexOf('\n');
    } else {
      const lc = /line (\d+) column (\d+)/.exec(e.message);
      if (lc) [line, column] = [Number(lc[1]), Number(lc[2])];
    }
    throw new FileError(file, e.message, line, column);
  }
}
