/** The names and units of every metric the system emits (SPEC WE-11); dashboards and alarms read the same names. */
export const MetricName = {
  ReconcilerTotal: 'workflowexecution_reconciler_total',
  ReconcilerDuration: 'workflowexecution_reconciler_duration_seconds',
  PipelineRunCreations: 'workflowexecution_reconciler_pipelinerun_creations_total',
  LocksAcquired: 'wfe_locks_acquired_total',
  Deduplicated: 'wfe_deduplicated_total',
  CooldownDeferrals: 'wfe_cooldown_deferrals_total',
  LocksReleased: 'wfe_locks_released_total',
  LockHoldSeconds: 'wfe_lock_hold_seconds',
  StuckLocks: 'wfe_stuck_locks_total',
  RequestsRejected: 'wfe_requests_rejected_total',
  AuditForwarded: 'wfe_audit_events_forwarded_total',
  AuditRetried: 'wfe_audit_events_retried_total',
  AuditFailed: 'wfe_audit_events_failed_total',
  AuditDeadLettered: 'wfe_audit_events_dead_lettered_total',
  /** Events sent again after a request whose answer was lost: DataStorage may hold them twice. */
  AuditPossiblyDuplicated: 'wfe_audit_events_possibly_duplicated_total',
  AuditBatchLatency: 'wfe_audit_batch_latency_ms',
  EventsReceived: 'wfe_events_received_total',
  EventsIgnored: 'wfe_events_ignored_total',
  EndDetectionDelay: 'wfe_end_detection_delay_seconds',
  ReleaseDelay: 'wfe_release_delay_seconds',
  /** Gauges, one value a sweep tick: the Running executions and the target locks held at that moment. */
  ExecutionsRunning: 'wfe_executions_running',
  LocksHeld: 'wfe_locks_held',
  /** Sweep items (an execution or a lock) that threw: skipped, retried by the next sweep. */
  SweepItemFailures: 'wfe_sweep_item_failures_total',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];
export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds';
