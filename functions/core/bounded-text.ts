/**
 * The bound on every text the system stores or forwards that it did not write itself (Tekton's
 * messages, a cluster's refusal, a rejected request's fields), SPEC WE-15: a few KB, cut with a
 * marker that says how much was left out, so an end is always recordable and a reader knows.
 */

/** Characters kept of a foreign text: enough to read the cause, far below DynamoDB's 400 KB item. */
export const MAX_TEXT = 4096;

/** `text` if it has at most `max` characters, else its start and "… [cut N characters]". */
export function bounded(text: string, max = MAX_TEXT): string {
  if (text.length <= max) return text;
  let end = max;
  // Never split a surrogate pair: half of one is not UTF-8.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}… [cut ${(text.length - end).toLocaleString('en-US')} characters]`;
}
