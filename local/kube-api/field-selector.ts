/**
 * Field selectors for custom resources: only metadata.name and metadata.namespace are selectable
 * (customresource strategy objectMetaFieldsSet), with =, == and !=.
 */
import { SelectorError } from './label-selector.js';

const SUPPORTED = new Set(['metadata.name', 'metadata.namespace']);

export interface FieldSelector {
  matches(fields: { 'metadata.name': string; 'metadata.namespace': string }): boolean;
}

export function parseFieldSelector(text: string | undefined): FieldSelector {
  const terms = (text ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .map((term) => {
      const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!m) throw new SelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
      const [, field = '', op, value = ''] = m;
      if (!SUPPORTED.has(field)) throw new SelectorError(`field label not supported: ${field}`);
      return { field: field as 'metadata.name' | 'metadata.namespace', negate: op === '!=', value };
    });
  return {
    matches: (fields) => terms.every((t) => (fields[t.field] === t.value) !== t.negate),
  };
}
