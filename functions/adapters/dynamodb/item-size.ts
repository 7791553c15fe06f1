/**
 * An item's size as DynamoDB counts it against its 400 KB limit (the DynamoDB developer guide,
 * "Item sizes and formats"): attribute names and string values in UTF-8 bytes, numbers by their
 * significant digits, 3 bytes for each list or map plus 1 for each element in it.
 */

/** DynamoDB's item limit: 400 KB, names included. */
export const MAX_ITEM_BYTES = 400 * 1024;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value)
      .replace(/^-|\.|e.*$/gi, '')
      .replace(/^0+|0+$/g, '').length;
    return Math.ceil(Math.max(1, digits) / 2) + 1;
  }
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueBytes(v), 0);
  if (Array.isArray(value)) {
    const present = value.filter((v) => v !== undefined);
    return 3 + present.length + present.reduce((sum: number, v) => sum + valueBytes(v), 0);
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return 3 + entries.length + entries.reduce((sum, [k, v]) => sum + utf8(k) + valueBytes(v), 0);
  }
  return 0;
}

/** The size of a whole item (attributes whose value is undefined are not written, so not counted). */
export function itemBytes(item: Record<string, unknown>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value !== undefined) total += utf8(name) + valueBytes(value);
  }
  return total;
}
