/**
 * How much work each measurement does. `full` is what `npm run bench` reports; `small` only proves
 * the code still runs end to end and produces the right shape (the smoke test), so its figures
 * mean little.
 */
export interface Scale {
  name: 'full' | 'small';
  lifecycle: { executions: number };
  reconcile: { active: number; finished: number };
  waiter: {
    samples: number;
    cooldownMs: number;
    /** Queue poller batching windows to compare: the deployed 1 s, and 0. */
    batchingWindowsSeconds: number[];
  };
  release: { rounds: number; perRound: number; cooldownMs: number; intervalMs: number };
  /** Runs per path (event path, sweep alone); the event path's end in rounds of perRound. */
  events: { samples: number; perRound: number; cooldownMs: number; sweepIntervalMs: number };
  bundles: { initRuns: number };
  /** Fresh processes per bundle for the whole-process cold start. */
  coldStart: { runs: number };
  /** Runs of each `wfe` command timed, whole process. */
  cli: { runs: number };
  /** Running executions swept (beside twice as many finished), and requests in the index-write burst. */
  fleet: { running: number; burst: number };
  /** execute and its baseline stop at their count or after budgetMs (the baseline after half). */
  throughput: {
    executions: number;
    puts: number;
    budgetMs: number;
    auditEvents: number;
    auditBatchSizes: number[];
  };
}

export const FULL: Scale = {
  name: 'full',
  lifecycle: { executions: 50 },
  reconcile: { active: 100, finished: 10_000 },
  // 5 s: Tekton's whole-second completionTime can eat 1 s of it, and a tick on a loaded machine more;
  // each waiter must reach execute before the cooldown ends to be deferred at all.
  waiter: { samples: 20, cooldownMs: 5000, batchingWindowsSeconds: [1, 0] },
  // Cooldown > interval + 1 s + a tick: Tekton's whole-second completionTime can eat up to 1 s of it,
  // and the first scheduled tick must come after the cooldown ends for the tick's phase to be random.
  release: { rounds: 6, perRound: 4, cooldownMs: 4000, intervalMs: 1000 },
  // The deployed 1-minute schedule; a 3 s cooldown outlasts Tekton's whole-second rounding and the
  // event path's detection, so each lock is still cooling when its end is recorded.
  events: { samples: 24, perRound: 4, cooldownMs: 3000, sweepIntervalMs: 60_000 },
  bundles: { initRuns: 7 },
  coldStart: { runs: 11 },
  cli: { runs: 10 },
  fleet: { running: 5000, burst: 500 },
  throughput: {
    executions: 300,
    puts: 2000,
    budgetMs: 15_000,
    auditEvents: 10_000,
    auditBatchSizes: [100, 1000],
  },
};

export const SMALL: Scale = {
  name: 'small',
  lifecycle: { executions: 5 },
  reconcile: { active: 10, finished: 300 },
  // Long enough to outlast the holders' end and the waiters' arrival on a loaded CI machine, or no
  // waiter is deferred (5 s was seen to pass before the first waiter reached execute).
  waiter: { samples: 3, cooldownMs: 10_000, batchingWindowsSeconds: [0] },
  release: { rounds: 1, perRound: 2, cooldownMs: 3000, intervalMs: 500 },
  events: { samples: 3, perRound: 3, cooldownMs: 2000, sweepIntervalMs: 2000 },
  bundles: { initRuns: 1 },
  coldStart: { runs: 1 },
  cli: { runs: 1 },
  fleet: { running: 200, burst: 30 },
  throughput: { executions: 20, puts: 50, budgetMs: 2000, auditEvents: 200, auditBatchSizes: [100] },
};

/** BENCH_SCALE=small selects the smoke-test scale; anything else is the full bench. */
export function scaleFromEnv(env: Record<string, string | undefined> = process.env): Scale {
  return env.BENCH_SCALE === 'small' ? SMALL : FULL;
}
