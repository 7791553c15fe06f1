/**
 * The DynamoDB actions the execution table adapter (execution-table.ts) calls: the grants of every
 * function that uses it are these and no more. A transaction needs the action of each item it
 * writes. test/adapters/declared-calls.test.ts derives the list from the adapter's code.
 */
export const EXECUTION_TABLE_ACTIONS = {
  /** On the table's items. */
  items: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
  /** On the due index only. */
  dueIndex: ['dynamodb:Query'],
} as const;
