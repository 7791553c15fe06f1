/**
 * WE-15: itemBytes counts an item as DynamoDB does, so a write can be checked before it is sent:
 * DynamoDB Local takes an item of exactly MAX_ITEM_BYTES and refuses one byte more, whatever mix of
 * names, multi-byte strings, numbers, maps and lists it holds.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { executionTable } from '../../functions/adapters/dynamodb/execution-table.js';
import { itemBytes, MAX_ITEM_BYTES } from '../../functions/adapters/dynamodb/item-size.js';
import { executionItem } from '../../functions/adapters/dynamodb/items.js';
import type { Execution } from '../../functions/core/execution.js';
import { fixedClock } from '../fakes/clock.js';
import { createTestTable } from '../setup/dynamodb.js';

function itemOfSize(bytes: number, shape: Record<string, unknown>): Record<string, unknown> {
  const item: Record<string, unknown> = { pk: 'SIZE', sk: 'x', ...shape, fill: '' };
  item.fill = 'f'.repeat(bytes - itemBytes(item));
  expect(itemBytes(item)).toBe(bytes);
  return item;
}

const shapes: Record<string, Record<string, unknown>> = {
  strings: { a: 'é€😀', b: 'plain' },
  numbers: { n1: 1, n2: 123456789, n3: -0.00125, n4: 1500, n5: 0, n6: 2 ** 52 },
  nested: {
    status: {
      phase: 'Failed',
      conditions: { A: { m: 'x', v: 2 }, B: {} },
      list: [1, 'two', [], { k: true }],
    },
    flag: false,
    nothing: null,
  },
};

describe('itemBytes (WE-15)', () => {
  for (const [name, shape] of Object.entries(shapes)) {
    it(`WE-15: DynamoDB Local takes an item of ${MAX_ITEM_BYTES} bytes as counted and refuses one byte more (${name})`, async () => {
      const t = await createTestTable();
      try {
        const put = (item: Record<string, unknown>) =>
          t.doc.send(new PutCommand({ TableName: t.tableName, Item: item }));
        await expect(put(itemOfSize(MAX_ITEM_BYTES, shape))).resolves.toBeDefined();
        await expect(put(itemOfSize(MAX_ITEM_BYTES + 1, shape))).rejects.toThrow(/size has exceeded/);
      } finally {
        t.client.destroy();
      }
    });
  }
});

describe('executionItem within the item limit (WE-15)', () => {
  it('WE-15: a rejected request too large for its item is cut to fit, said so, and read back as text', async () => {
    const t = await createTestTable();
    try {
      const clock = fixedClock('2026-01-01T00:00:00Z');
      const store = executionTable(t.tableName, clock, t.doc);
      const rejectedRequest = { spec: { targetResource: '€'.repeat(200_000) } };
      const execution: Execution = {
        id: { cluster: 'default', namespace: 'default', name: 'huge' },
        rejectedRequest,
        specHash: 'h',
        target: '',
        status: { phase: 'Failed', conditions: {} },
        createdAt: '2026-01-01T00:00:00.000Z',
        version: 0,
      };
      const item = executionItem(execution, 1, clock.now());
      expect(itemBytes(item)).toBeLessThanOrEqual(MAX_ITEM_BYTES);
      expect(await store.write({ executions: [{ next: execution, expectVersion: 0 }] })).toEqual({
        ok: true,
      });
      const read = await store.read(execution.id);
      expect(typeof read?.rejectedRequest).toBe('string');
      expect(read?.rejectedRequest).toMatch(/^\{"spec":\{"targetResource":"€+… \[cut [\d,]+ characters\]$/);
    } finally {
      t.client.destroy();
    }
  });
});
