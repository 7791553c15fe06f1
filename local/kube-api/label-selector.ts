/**
 * Label selectors as the apiserver parses them (apimachinery labels/selector.go): comma-separated
 * requirements, each `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`, `k>1`, `k<1`.
 * A selector that does not parse is a 400 BadRequest, never a silent match-all.
 */
import { isValidLabelKey, isValidLabelValue } from './validation.js';

type Operator = 'eq' | 'neq' | 'in' | 'notin' | 'exists' | '!exists' | 'gt' | 'lt';

interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

export type Labels = Record<string, string> | undefined;

export interface LabelSelector {
  matches(labels: Labels): boolean;
  /** True when the selector has no requirements. */
  readonly empty: boolean;
}

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'op'; text: '=' | '==' | '!=' | '!' | '>' | '<' }
  | { kind: 'comma' | 'open' | 'close' };

const SPECIAL = new Set([' ', '\t', ',', '(', ')', '=', '!', '<', '>']);

const PUNCTUATION: Record<string, Token> = {
  ',': { kind: 'comma' },
  '(': { kind: 'open' },
  ')': { kind: 'close' },
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    const two = text.slice(i, i + 2);
    if (c === ' ' || c === '\t') {
      i += 1;
    } else if (PUNCTUATION[c]) {
      tokens.push(PUNCTUATION[c]);
      i += 1;
    } else if (two === '==' || two === '!=') {
      tokens.push({ kind: 'op', text: two });
      i += 2;
    } else if (c === '=' || c === '!' || c === '>' || c === '<') {
      tokens.push({ kind: 'op', text: c });
      i += 1;
    } else {
      let j = i;
      while (j < text.length && !SPECIAL.has(text[j] as string)) j++;
      tokens.push({ kind: 'word', text: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

const describe = (t: Token | undefined) =>
  t === undefined
    ? 'end of string'
    : t.kind === 'word' || t.kind === 'op'
      ? t.text
      : { comma: ',', open: '(', close: ')' }[t.kind];

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private next(): Token | undefined {
    return this.tokens[this.position++];
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    if (this.tokens.length === 0) return requirements;
    for (;;) {
      requirements.push(this.requirement());
      const t = this.next();
      if (t === undefined) return requirements;
      if (t.kind !== 'comma')
        throw new SelectorError(`found '${describe(t)}', expected: ',' or 'end of string'`);
    }
  }

  private key(): string {
    const t = this.next();
    if (t?.kind !== 'word') throw new SelectorError(`found '${describe(t)}', expected: identifier`);
    if (!isValidLabelKey(t.text)) throw new SelectorError(`invalid label key "${t.text}"`);
    return t.text;
  }

  private value(): string {
    const t = this.peek();
    if (t?.kind !== 'word') return '';
    this.position++;
    if (!isValidLabelValue(t.text)) throw new SelectorError(`invalid label value: "${t.text}"`);
    return t.text;
  }

  private requirement(): Requirement {
    const first = this.peek();
    if (first?.kind === 'op' && first.text === '!') {
      this.position++;
      return { key: this.key(), operator: '!exists', values: [] };
    }
    const key = this.key();
    const t = this.peek();
    if (t === undefined || t.kind === 'comma') return { key, operator: 'exists', values: [] };
    this.position++;
    if (t.kind === 'op') {
      if (t.text === '=' || t.text === '==') return { key, operator: 'eq', values: [this.value()] };
      if (t.text === '!=') return { key, operator: 'neq', values: [this.value()] };
      if (t.text === '>' || t.text === '<') {
        const v = this.value();
        if (!/^-?\d+$/.test(v))
          throw new SelectorError(`for 'Gt', 'Lt' operators, the value must be an integer`);
        return { key, operator: t.text === '>' ? 'gt' : 'lt', values: [v] };
      }
    }
    if (t.kind === 'word' && (t.text === 'in' || t.text === 'notin')) {
      return { key, operator: t.text, values: this.set(t.text) };
    }
    throw new SelectorError(`found '${describe(t)}', expected: in, notin, =, ==, !=, gt, lt`);
  }

  private set(operator: string): string[] {
    const open = this.next();
    if (open?.kind !== 'open') throw new SelectorError(`found '${describe(open)}', expected: '('`);
    const values: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'close') {
        this.position++;
        break;
      }
      values.push(this.value());
      const sep = this.next();
      if (sep?.kind === 'close') break;
      if (sep?.kind !== 'comma') throw new SelectorError(`found '${describe(sep)}', expected: ',', ')'`);
    }
    if (values.length === 0 || values.every((v) => v === ''))
      throw new SelectorError(`for '${operator}', 'notin' operators, values set can't be empty`);
    return values;
  }
}

function satisfies(r: Requirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'eq':
    case 'in':
      return has && r.values.includes(value as string);
    case 'neq':
    case 'notin':
      return !has || !r.values.includes(value as string);
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value as string)) return false;
      const a = Number(value);
      const b = Number(r.values[0]);
      return r.operator === 'gt' ? a > b : a < b;
    }
  }
}

/** Parses a selector; throws SelectorError with the apiserver's wording when it is malformed. */
export function parseLabelSelector(text: string | undefined): LabelSelector {
  const requirements = new Parser(tokenize(text ?? '')).parse();
  return {
    empty: requirements.length === 0,
    matches: (labels) => requirements.every((r) => satisfies(r, labels)),
  };
}
