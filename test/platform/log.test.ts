import { describe, expect, it } from 'vitest';
import { logPort } from '../../functions/platform/log.js';
import { capturing } from '../setup/engines.js';

describe('WE-12 logs: the core Log port over Powertools', () => {
  it('puts the keys given with `with` on each line of that log only, beside the line’s own fields', () => {
    const { lines, logger } = capturing('execute');
    const base = logPort(logger, { messageId: 'm-1' });
    const a = base.with({ executionId: 'default/we-a', target: 't/a' });
    const b = base.with({ executionId: 'default/we-b', target: 't/b' });
    a.info('about a', { to: 'Running' });
    b.warn('about b');
    base.info('about the message');
    a.with({ lock: 'default#t/a' }).info('about a’s lock');

    expect(
      lines.map(({ level, message, messageId, executionId, target, to, lock }) => ({
        level,
        message,
        messageId,
        executionId,
        target,
        to,
        lock,
      })),
    ).toEqual([
      {
        level: 'INFO',
        message: 'about a',
        messageId: 'm-1',
        executionId: 'default/we-a',
        target: 't/a',
        to: 'Running',
        lock: undefined,
      },
      {
        level: 'WARN',
        message: 'about b',
        messageId: 'm-1',
        executionId: 'default/we-b',
        target: 't/b',
        to: undefined,
        lock: undefined,
      },
      {
        level: 'INFO',
        message: 'about the message',
        messageId: 'm-1',
        executionId: undefined,
        target: undefined,
        to: undefined,
        lock: undefined,
      },
      {
        level: 'INFO',
        message: 'about a’s lock',
        messageId: 'm-1',
        executionId: 'default/we-a',
        target: 't/a',
        to: undefined,
        lock: 'default#t/a',
      },
    ]);
  });
});
