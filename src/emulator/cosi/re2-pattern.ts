/**
 * Go's RE2 syntax, which Omni compiles ID queries with, translated to a JavaScript RegExp so that
 * the emulator filters as Omni does. It covers what ID queries use: leading flag groups, named
 * groups, `\A` and `\z`, `\Q...\E`, Unicode classes, POSIX classes (negated too) and escaped punctuation. It
 * throws for what RE2 rejects but JavaScript would accept (lookaround, backreferences) and for
 * the few RE2 forms it cannot express.
 *
 * The `u` flag makes `.` and classes work on code points, as RE2 works on runes.
 */
export function compileRe2(pattern: string): RegExp {
  let body = pattern;
  const flags = new Set(["u"]);
  for (let group = leadingFlagGroup.exec(body); group; group = leadingFlagGroup.exec(body)) {
    for (const flag of group[1] ?? "") {
      if (flag === "U") {
        throw new Error("the ungreedy flag (?U) is not supported by the emulator");
      }
      flags.add(flag);
    }
    body = body.slice(group[0].length);
  }
  return new RegExp(translate(body, flags.has("i")), [...flags].join(""));
}

const leadingFlagGroup = /^\(\?([imsU]+)\)/;

/** Characters a `u`-mode RegExp lets be escaped outside a class. */
const syntaxCharacters = new Set("^$\\.*+?()[]{}|/");

/** Escapes RE2 and JavaScript read the same way. */
const sharedEscapes = new Set("dDsSwWbBfnrtv");

const repetition = /^\{(\d+)(,(\d*))?\}/;

/** RE2 refuses larger counts in `x{n,m}`. */
const maxRepeat = 1000;

type Ranges = readonly (readonly [number, number])[];

/** RE2's POSIX classes, as code-point ranges. */
const posixClasses: Readonly<Record<string, Ranges>> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

const codePoint = (point: number) => `\\u{${point.toString(16)}}`;

/**
 * The ranges with every letter's other cases added, as RE2 folds a class under `(?i)` before
 * negating it: ASCII letters, plus U+017F for s and U+212A (Kelvin) for k.
 */
function caseFolded(ranges: Ranges): Ranges {
  const out: [number, number][] = ranges.map(([first, last]) => [first, last]);
  for (const [first, last] of ranges) {
    for (const [low, high, shift] of [
      [0x41, 0x5a, 0x20],
      [0x61, 0x7a, -0x20],
    ] as const) {
      const from = Math.max(first, low);
      const to = Math.min(last, high);
      if (from <= to) {
        out.push([from + shift, to + shift]);
      }
    }
  }
  const has = (point: number) => out.some(([first, last]) => first <= point && point <= last);
  if (has(0x73)) {
    out.push([0x17f, 0x17f]);
  }
  if (has(0x6b)) {
    out.push([0x212a, 0x212a]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** The ranges as the inside of a `u`-mode class, or every code point outside them. */
function classRanges(ranges: Ranges, negated: boolean, caseInsensitive: boolean): string {
  if (!negated) {
    return ranges.map(([first, last]) => `${codePoint(first)}-${codePoint(last)}`).join("");
  }
  let out = "";
  let next = 0;
  for (const [first, last] of caseInsensitive ? caseFolded(ranges) : ranges) {
    if (first > next) {
      out += `${codePoint(next)}-${codePoint(first - 1)}`;
    }
    next = Math.max(next, last + 1);
  }
  return `${out}${codePoint(next)}-${codePoint(0x10ffff)}`;
}

function translate(body: string, caseInsensitive: boolean): string {
  let out = "";
  let inClass = false;
  let i = 0;
  while (i < body.length) {
    const rest = body.slice(i);
    const char = body[i] as string;
    if (char === "\\") {
      const [text, length] = translateEscape(rest, inClass);
      out += text;
      i += length;
    } else if (inClass) {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(rest);
      if (posix) {
        const ranges = posixClasses[posix[2] ?? ""];
        if (ranges === undefined) {
          throw new Error(`invalid character class range ${posix[0]}`);
        }
        out += classRanges(ranges, posix[1] === "^", caseInsensitive);
        i += posix[0].length;
      } else {
        inClass = char !== "]";
        out += char;
        i++;
      }
    } else if (char === "[") {
      // RE2 reads a "]" right after the opening bracket as a literal; JavaScript would close.
      const opening = /^\[\^?\]?/.exec(rest)?.[0] ?? "[";
      out += opening.endsWith("]") ? `${opening.slice(0, -1)}\\]` : opening;
      inClass = true;
      i += opening.length;
    } else if (char === "(") {
      const [text, length] = translateGroupStart(rest);
      out += text;
      i += length;
    } else if (char === "]") {
      // Outside a class RE2 reads "]" as itself; a `u`-mode RegExp wants it escaped.
      out += "\\]";
      i++;
    } else if (char === "{" || char === "}") {
      const repeat = char === "{" ? repetition.exec(rest) : null;
      if (repeat) {
        checkRepeatCount(repeat[1], repeat[3]);
        out += repeat[0];
        i += repeat[0].length;
      } else {
        // RE2 takes a brace that does not start a repetition literally.
        out += `\\${char}`;
        i++;
      }
    } else {
      out += char;
      i++;
    }
  }
  return out;
}

function checkRepeatCount(min: string | undefined, max: string | undefined): void {
  if (Number(min) > maxRepeat || (max !== undefined && max !== "" && Number(max) > maxRepeat)) {
    throw new Error(`repeat counts are limited to ${maxRepeat}`);
  }
}

/** The JavaScript for a group opening, and how many characters of the pattern it stands for. */
function translateGroupStart(rest: string): [string, number] {
  if (/^\(\?<?[=!]/.test(rest)) {
    throw new Error("lookaround is not supported by RE2");
  }
  if (rest.startsWith("(?P<")) {
    return ["(?<", 4];
  }
  if (rest.startsWith("(?P")) {
    throw new Error("invalid named group");
  }
  return ["(", 1];
}

/** The JavaScript for an escape at the start of `rest`, and how many characters it spans. */
function translateEscape(rest: string, inClass: boolean): [string, number] {
  const letter = rest[1];
  if (letter === undefined) {
    throw new Error("trailing backslash at end of expression");
  }
  if (sharedEscapes.has(letter)) {
    return [rest.slice(0, 2), 2];
  }
  switch (letter) {
    case "A":
    case "z":
      if (inClass) {
        throw new Error(`invalid escape \\${letter} in a character class`);
      }
      return [letter === "A" ? "(?<![\\s\\S])" : "(?![\\s\\S])", 2];
    case "a":
      return ["\\x07", 2];
    case "Q": {
      const end = rest.indexOf("\\E", 2);
      const literal = rest.slice(2, end === -1 ? undefined : end);
      const escaped = [...literal].map((c) => escapeLiteral(c, inClass)).join("");
      return [escaped, end === -1 ? rest.length : end + 2];
    }
    case "E":
      return ["", 2];
    case "p":
    case "P":
      return translateUnicodeClass(rest);
    case "x": {
      const braced = /^\\x\{([0-9A-Fa-f]+)\}/.exec(rest);
      return braced ? [`\\u{${braced[1]}}`, braced[0].length] : [rest.slice(0, 4), 4];
    }
    default:
      break;
  }
  const octal = /^\\([0-7]{1,3})/.exec(rest);
  if (octal) {
    const digits = octal[1] ?? "";
    if (digits.length === 1 && digits !== "0") {
      throw new Error("backreferences are not supported by RE2");
    }
    return [`\\u{${Number.parseInt(digits, 8).toString(16)}}`, octal[0].length];
  }
  if (/[A-Za-z0-9]/.test(letter) || letter.charCodeAt(0) > 0x7f) {
    throw new Error(`invalid escape sequence \\${letter}`);
  }
  // RE2 lets any ASCII punctuation be escaped; `u` mode only syntax characters.
  return [escapeLiteral(letter, inClass), 2];
}

function escapeLiteral(char: string, inClass: boolean): string {
  if (syntaxCharacters.has(char) || (inClass && char === "-")) {
    return `\\${char}`;
  }
  return char;
}

/** `\pL`, `\p{Greek}`, `\p{^Greek}` and their `\P` negations. */
function translateUnicodeClass(rest: string): [string, number] {
  const match = /^\\([pP])(?:\{(\^?)([A-Za-z_]+)\}|([A-Za-z]))/.exec(rest);
  if (!match) {
    throw new Error("invalid Unicode class escape");
  }
  const negated = (match[1] === "P") !== (match[2] === "^");
  const name = match[3] ?? match[4] ?? "";
  // RE2 names general categories (L, Lu) and scripts (Greek) alike; JavaScript tells them apart.
  const property = name.length <= 2 || name === "Any" ? name : `Script=${name}`;
  return [`\\${negated ? "P" : "p"}{${property}}`, match[0].length];
}
