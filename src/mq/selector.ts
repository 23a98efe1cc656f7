/**
 * @module
 * Message selectors (the JMS / SQL-92 subset carried in the AMQP filter
 * `apache.org:selector-filter:string`): a tokenizer and a recursive-descent
 * parser producing a plain-data AST. Evaluation lives in selector-eval.ts so
 * this file stays a pure function of the selector text.
 */

/** A literal the selector language can write down. */
export type SelectorLiteral = string | number | boolean;

export type ComparisonOperator = '=' | '<>' | '<' | '>' | '<=' | '>=';
export type ArithmeticOperator = '+' | '-' | '*' | '/';

/** Selector AST. Every node is plain data, so it can be logged or compared. */
export type SelectorExpr =
  | { kind: 'literal'; value: SelectorLiteral }
  | { kind: 'identifier'; name: string }
  | { kind: 'and' | 'or'; left: SelectorExpr; right: SelectorExpr }
  | { kind: 'not'; operand: SelectorExpr }
  | { kind: 'compare'; op: ComparisonOperator; left: SelectorExpr; right: SelectorExpr }
  | { kind: 'arithmetic'; op: ArithmeticOperator; left: SelectorExpr; right: SelectorExpr }
  | { kind: 'negate'; operand: SelectorExpr }
  | { kind: 'like'; operand: SelectorExpr; pattern: string; escape: string | null; negated: boolean }
  | { kind: 'in'; operand: SelectorExpr; values: SelectorLiteral[]; negated: boolean }
  | { kind: 'isNull'; operand: SelectorExpr; negated: boolean }
  | { kind: 'between'; operand: SelectorExpr; low: SelectorExpr; high: SelectorExpr; negated: boolean };

/** A selector that cannot be parsed; `position` is a 0-based offset into the text. */
export class SelectorSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
    readonly selector: string,
  ) {
    super(`invalid selector at column ${position + 1}: ${reason} (selector: ${selector})`);
    this.name = 'SelectorSyntaxError';
  }
}

type Token =
  | { type: 'identifier'; text: string; pos: number }
  | { type: 'keyword'; text: Keyword; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'number'; value: number; pos: number }
  | { type: 'symbol'; text: string; pos: number }
  | { type: 'end'; pos: number };

const KEYWORDS = ['AND', 'OR', 'NOT', 'LIKE', 'ESCAPE', 'IN', 'IS', 'NULL', 'BETWEEN', 'TRUE', 'FALSE'] as const;
type Keyword = (typeof KEYWORDS)[number];
const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);

const SYMBOLS = ['<>', '<=', '>=', '=', '<', '>', '+', '-', '*', '/', '(', ')', ','];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (reason: string, pos: number): never => {
    throw new SelectorSyntaxError(reason, pos, text);
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'") {
      // SQL strings double a quote to escape it: 'it''s'
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) fail('unterminated string literal', start);
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      tokens.push({ type: 'string', value, pos: start });
      continue;
    }
    if (ch === '"') {
      // Quoted identifiers let a selector name properties that are not Java identifiers.
      const close = text.indexOf('"', i + 1);
      if (close < 0) fail('unterminated quoted identifier', start);
      tokens.push({ type: 'identifier', text: text.slice(i + 1, close), pos: start });
      i = close + 1;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const hex = /^0[xX][0-9a-fA-F]+/.exec(text.slice(i));
      const num = hex ?? /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
      // A match is certain: the branch is only taken on a digit or ".digit".
      const literal = num![0];
      i += literal.length;
      // Java suffixes (L for long, F/D for float/double) are accepted and ignored.
      if (/[lLfFdD]/.test(text[i] ?? '')) i++;
      if (/[A-Za-z0-9_$]/.test(text[i] ?? '')) fail(`malformed number '${text.slice(start, i + 1)}'`, start);
      tokens.push({ type: 'number', value: hex ? parseInt(literal, 16) : Number(literal), pos: start });
      continue;
    }
    if (/[A-Za-z_$]/.test(ch)) {
      while (i < text.length && /[A-Za-z0-9_$.]/.test(text[i]!)) i++;
      const word = text.slice(start, i);
      const upper = word.toUpperCase();
      if (KEYWORD_SET.has(upper)) tokens.push({ type: 'keyword', text: upper as Keyword, pos: start });
      else tokens.push({ type: 'identifier', text: word, pos: start });
      continue;
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, i));
    if (symbol === undefined) fail(`unexpected character '${ch}'`, start);
    tokens.push({ type: 'symbol', text: symbol!, pos: start });
    i += symbol!.length;
  }
  tokens.push({ type: 'end', pos: text.length });
  return tokens;
}

/** True for nodes that can stand where a condition is expected. */
function isCondition(e: SelectorExpr): boolean {
  switch (e.kind) {
    case 'literal':
      return typeof e.value === 'boolean';
    case 'arithmetic':
    case 'negate':
      return false;
    default:
      return true;
  }
}

/** True for nodes that can be an operand of arithmetic or BETWEEN. */
function isValue(e: SelectorExpr): boolean {
  switch (e.kind) {
    case 'literal':
      return typeof e.value !== 'boolean';
    case 'identifier':
    case 'arithmetic':
    case 'negate':
      return true;
    default:
      return false;
  }
}

class Parser {
  private index = 0;
  /** Start offset of every node, for error messages about a whole operand. */
  private readonly positions = new WeakMap<SelectorExpr, number>();

  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  parse(): SelectorExpr {
    const expr = this.condition(this.orExpr(), 'the selector');
    const next = this.peek();
    if (next.type !== 'end') this.fail(`unexpected ${describe(next)}`, next.pos);
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private advance(): Token {
    const token = this.tokens[this.index]!;
    if (token.type !== 'end') this.index++;
    return token;
  }

  private fail(reason: string, pos: number): never {
    throw new SelectorSyntaxError(reason, pos, this.text);
  }

  private isKeyword(word: Keyword, offset = 0): boolean {
    const token = this.tokens[this.index + offset];
    return token?.type === 'keyword' && token.text === word;
  }

  private isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.type === 'symbol' && token.text === symbol;
  }

  private expectKeyword(word: Keyword): void {
    if (!this.isKeyword(word)) this.fail(`expected ${word} but found ${describe(this.peek())}`, this.peek().pos);
    this.advance();
  }

  private expectSymbol(symbol: string): void {
    if (!this.isSymbol(symbol)) this.fail(`expected '${symbol}' but found ${describe(this.peek())}`, this.peek().pos);
    this.advance();
  }

  private at<T extends SelectorExpr>(node: T, pos: number): T {
    this.positions.set(node, pos);
    return node;
  }

  private condition(e: SelectorExpr, where: string): SelectorExpr {
    if (!isCondition(e)) this.fail(`${where} must be a condition, not a value`, this.positions.get(e) ?? 0);
    return e;
  }

  private value(e: SelectorExpr, where: string): SelectorExpr {
    if (!isValue(e)) this.fail(`${where} must be a value, not a condition`, this.positions.get(e) ?? 0);
    return e;
  }

  private orExpr(): SelectorExpr {
    const pos = this.peek().pos;
    let left = this.andExpr();
    while (this.isKeyword('OR')) {
      this.advance();
      const right = this.andExpr();
      left = this.at(
        { kind: 'or', left: this.condition(left, 'an OR operand'), right: this.condition(right, 'an OR operand') },
        pos,
      );
    }
    return left;
  }

  private andExpr(): SelectorExpr {
    const pos = this.peek().pos;
    let left = this.notExpr();
    while (this.isKeyword('AND')) {
      this.advance();
      const right = this.notExpr();
      left = this.at(
        { kind: 'and', left: this.condition(left, 'an AND operand'), right: this.condition(right, 'an AND operand') },
        pos,
      );
    }
    return left;
  }

  private notExpr(): SelectorExpr {
    const pos = this.peek().pos;
    if (this.isKeyword('NOT')) {
      this.advance();
      return this.at({ kind: 'not', operand: this.condition(this.notExpr(), 'the operand of NOT') }, pos);
    }
    return this.predicate();
  }

  private predicate(): SelectorExpr {
    const pos = this.peek().pos;
    const left = this.additive();
    const next = this.peek();
    if (next.type === 'symbol' && ['=', '<>', '<', '>', '<=', '>='].includes(next.text)) {
      this.advance();
      const right = this.additive();
      return this.at({ kind: 'compare', op: next.text as ComparisonOperator, left, right }, pos);
    }
    if (this.isKeyword('IS')) {
      this.advance();
      const negated = this.isKeyword('NOT');
      if (negated) this.advance();
      this.expectKeyword('NULL');
      return this.at({ kind: 'isNull', operand: left, negated }, pos);
    }
    const negated = this.isKeyword('NOT') && (this.isKeyword('LIKE', 1) || this.isKeyword('IN', 1) || this.isKeyword('BETWEEN', 1));
    if (negated) this.advance();
    if (this.isKeyword('LIKE')) {
      this.advance();
      const pattern = this.stringLiteral('LIKE needs a string pattern');
      let escape: string | null = null;
      if (this.isKeyword('ESCAPE')) {
        this.advance();
        const escapePos = this.peek().pos;
        escape = this.stringLiteral('ESCAPE needs a string');
        if (escape.length !== 1) this.fail('ESCAPE must be a single character', escapePos);
        checkLikePattern(pattern, escape, (reason) => this.fail(reason, escapePos));
      }
      return this.at({ kind: 'like', operand: this.value(left, 'the operand of LIKE'), pattern, escape, negated }, pos);
    }
    if (this.isKeyword('IN')) {
      this.advance();
      this.expectSymbol('(');
      const values: SelectorLiteral[] = [this.inLiteral()];
      while (this.isSymbol(',')) {
        this.advance();
        values.push(this.inLiteral());
      }
      this.expectSymbol(')');
      return this.at({ kind: 'in', operand: this.value(left, 'the operand of IN'), values, negated }, pos);
    }
    if (this.isKeyword('BETWEEN')) {
      this.advance();
      const low = this.value(this.additive(), 'the lower bound of BETWEEN');
      this.expectKeyword('AND');
      const high = this.value(this.additive(), 'the upper bound of BETWEEN');
      return this.at({ kind: 'between', operand: this.value(left, 'the operand of BETWEEN'), low, high, negated }, pos);
    }
    if (negated) this.fail('expected LIKE, IN or BETWEEN after NOT', this.peek().pos);
    return left;
  }

  private stringLiteral(reason: string): string {
    const token = this.peek();
    if (token.type !== 'string') this.fail(`${reason}, found ${describe(token)}`, token.pos);
    this.advance();
    return token.value;
  }

  private inLiteral(): SelectorLiteral {
    const token = this.advance();
    if (token.type === 'string' || token.type === 'number') return token.value;
    if (token.type === 'symbol' && token.text === '-') {
      const number = this.advance();
      if (number.type === 'number') return -number.value;
    }
    return this.fail(`IN lists hold literals only, found ${describe(token)}`, token.pos);
  }

  private additive(): SelectorExpr {
    return this.arithmeticLevel(['+', '-'], () => this.multiplicative());
  }

  private multiplicative(): SelectorExpr {
    return this.arithmeticLevel(['*', '/'], () => this.unary());
  }

  /** One left-associative level of arithmetic: operand (op operand)*. */
  private arithmeticLevel(ops: string[], operand: () => SelectorExpr): SelectorExpr {
    const pos = this.peek().pos;
    let left = operand();
    for (let next = this.peek(); next.type === 'symbol' && ops.includes(next.text); next = this.peek()) {
      this.advance();
      const right = operand();
      left = this.at(
        {
          kind: 'arithmetic',
          op: next.text as ArithmeticOperator,
          left: this.value(left, `the operand of '${next.text}'`),
          right: this.value(right, `the operand of '${next.text}'`),
        },
        pos,
      );
    }
    return left;
  }

  private unary(): SelectorExpr {
    const pos = this.peek().pos;
    if (this.isSymbol('-') || this.isSymbol('+')) {
      const sign = this.advance();
      const operand = this.value(this.unary(), 'the operand of a sign');
      if (sign.type === 'symbol' && sign.text === '+') return operand;
      if (operand.kind === 'literal' && typeof operand.value === 'number') {
        return this.at({ kind: 'literal', value: -operand.value }, pos);
      }
      return this.at({ kind: 'negate', operand }, pos);
    }
    return this.primary();
  }

  private primary(): SelectorExpr {
    const token = this.advance();
    switch (token.type) {
      case 'string':
      case 'number':
        return this.at({ kind: 'literal', value: token.value }, token.pos);
      case 'identifier':
        return this.at({ kind: 'identifier', name: token.text }, token.pos);
      case 'keyword':
        if (token.text === 'TRUE' || token.text === 'FALSE') {
          return this.at({ kind: 'literal', value: token.text === 'TRUE' }, token.pos);
        }
        break;
      case 'symbol':
        if (token.text === '(') {
          const inner = this.orExpr();
          this.expectSymbol(')');
          return inner;
        }
        break;
      case 'end':
        break;
    }
    return this.fail(`expected a value but found ${describe(token)}`, token.pos);
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'end of selector';
    case 'string':
      return `string '${token.value}'`;
    case 'number':
      return `number ${token.value}`;
    case 'identifier':
      return `identifier '${token.text}'`;
    case 'keyword':
      return token.text;
    case 'symbol':
      return `'${token.text}'`;
  }
}

/** An escape character must be followed by `%`, `_` or itself. */
function checkLikePattern(pattern: string, escape: string, fail: (reason: string) => never): void {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== escape) continue;
    const next = pattern[i + 1];
    if (next !== '%' && next !== '_' && next !== escape) {
      fail(`escape character '${escape}' must be followed by %, _ or itself in LIKE pattern '${pattern}'`);
    }
    i++;
  }
}

/**
 * Parses a message selector such as
 * `name = 'ansible' AND type = 'Tag' AND tag LIKE 'f40%'`.
 * Keywords are case-insensitive; identifiers are case-sensitive.
 * @throws SelectorSyntaxError with the column and reason when the text is not a selector.
 */
export function parseSelector(text: string): SelectorExpr {
  if (text.trim() === '') throw new SelectorSyntaxError('the selector is empty', 0, text);
  return new Parser(text, tokenize(text)).parse();
}
