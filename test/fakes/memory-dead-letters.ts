/** The audit dead-letter queue in memory, both sides, with a switch to make writes fail. */
import type {
  AuditDeadLetter,
  AuditDeadLetterQueue,
  AuditDeadLetters,
  ParkedAuditRecord,
} from '../../functions/core/ports.js';

export class MemoryDeadLetters implements AuditDeadLetters, AuditDeadLetterQueue {
  readonly messages: { id: string; entry: ParkedAuditRecord['entry']; hidden: boolean }[] = [];
  /** The next this-many writes throw (Infinity: until changed). */
  failWrites = 0;
  #nextId = 0;

  get entries(): AuditDeadLetter[] {
    return this.messages.flatMap((m) => ('unreadable' in m.entry ? [] : [m.entry]));
  }

  async send(entries: AuditDeadLetter[]): Promise<void> {
    if (this.failWrites > 0) {
      this.failWrites--;
      throw new Error('the dead-letter queue is unavailable');
    }
    // Stored as the queue stores them: as JSON text (a value JSON cannot carry throws, as it does
    // when the SQS adapter encodes the message), and all of the batch or none.
    const bodies = entries.map((entry) => JSON.stringify(entry));
    for (const body of bodies) this.park(JSON.parse(body) as AuditDeadLetter);
  }

  park(entry: ParkedAuditRecord['entry']): void {
    this.messages.push({ id: `m-${this.#nextId++}`, entry: structuredClone(entry), hidden: false });
  }

  async receive(max: number): Promise<ParkedAuditRecord[]> {
    const visible = this.messages.filter((m) => !m.hidden).slice(0, max);
    for (const m of visible) m.hidden = true;
    return visible.map((m) => ({ id: m.id, handle: m.id, entry: m.entry }));
  }

  async delete(records: ParkedAuditRecord[]): Promise<void> {
    const ids = new Set(records.map((r) => r.handle));
    for (let i = this.messages.length - 1; i >= 0; i--)
      if (ids.has(this.messages[i]!.id)) this.messages.splice(i, 1);
  }

  async release(records: ParkedAuditRecord[]): Promise<void> {
    const ids = new Set(records.map((r) => r.handle));
    for (const m of this.messages) if (ids.has(m.id)) m.hidden = false;
  }

  async depth(): Promise<number> {
    return this.messages.length;
  }
}
