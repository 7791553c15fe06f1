import { describe, expect, it } from 'vitest';
import { AUDIT_ACTOR_ID, AuditEventType, auditEvent } from '../../functions/core/audit-event.js';
import type { Execution } from '../../functions/core/execution.js';
import { executionOf } from '../fixtures/audit-events.js';

const AT = new Date('2026-03-01T10:02:30Z');

const running = executionOf(
  { name: 'we-1', namespace: 'payment', target: 'payment/Deployment/api', remediationRequest: 'rr-7' },
  {
    phase: 'Running',
    startTime: '2026-03-01T10:00:00.000Z',
    pipelineRunRef: { name: 'wfe-1' },
    conditions: {},
  },
);

describe('audit events as DataStorage’s AuditEventRequest (WE-9, reference §6)', () => {
  it.each([
    [AuditEventType.Started, 'started', 'success'],
    [AuditEventType.Completed, 'completed', 'success'],
    [AuditEventType.Failed, 'failed', 'failure'],
    [AuditEventType.LockForceReleased, 'lock_force_released', 'success'],
  ] as const)('%s: action %s, outcome %s', (type, action, outcome) => {
    expect(auditEvent(type, running, AT)).toMatchObject({
      version: '1.0',
      event_type: type,
      event_timestamp: '2026-03-01T10:02:30.000Z',
      event_category: 'workflow',
      event_action: action,
      event_outcome: outcome,
      resource_type: 'WorkflowExecution',
      resource_id: 'we-1',
      namespace: 'payment',
    });
  });

  it('is the controller’s by default, or the actor it is given', () => {
    expect(auditEvent('workflow.started', running, AT)).toMatchObject({
      actor_type: 'service',
      actor_id: AUDIT_ACTOR_ID,
    });
    expect(
      auditEvent('workflow.lock_force_released', running, AT, { type: 'user', id: 'alice' }, { reason: 'r' }),
    ).toMatchObject({ actor_type: 'user', actor_id: 'alice', event_data: { reason: 'r' } });
  });

  it.each([
    [
      'the kubernaut.ai/correlation-id label',
      { labels: { 'kubernaut.ai/correlation-id': 'rr-corr-7' }, remediationRequest: 'rr-1' },
      'rr-corr-7',
    ],
    [
      'the RemediationRequest when there is no such label',
      { labels: { team: 'payments' }, remediationRequest: 'rr-1' },
      'rr-1',
    ],
    ['the execution name when there is neither', { name: 'we-plain' }, 'we-plain'],
  ])('carries the correlation id of %s', (_from, options, expected) => {
    const execution = executionOf(options, { phase: 'Running', conditions: {} });
    expect(auditEvent(AuditEventType.Started, execution, AT).correlation_id).toBe(expected);
  });

  it('always carries Kubernaut’s six fields and drops the other empty ones', () => {
    expect(auditEvent('workflow.started', running, AT).event_data).toEqual({
      workflow_id: 'test-workflow',
      workflow_version: 'v1.0.0',
      target_resource: 'payment/Deployment/api',
      phase: 'Running',
      container_image: 'ghcr.io/kubernaut/workflows/test@sha256:abc123',
      execution_name: 'we-1',
      started_at: '2026-03-01T10:00:00.000Z',
      pipelinerun_name: 'wfe-1',
    });
  });

  it('describes a rejected request from what was sent, with empty text where it had none', () => {
    const rejected: Execution = {
      id: { cluster: 'default', namespace: 'default', name: 'bad' },
      rejectedRequest: { spec: { workflowRef: { workflowId: 'w', version: 3 } } },
      specHash: 'h',
      target: '',
      status: { phase: 'Failed', conditions: {} },
      createdAt: AT.toISOString(),
      version: 1,
    };
    expect(auditEvent('workflow.failed', rejected, AT).event_data).toEqual({
      workflow_id: 'w',
      workflow_version: '',
      target_resource: '',
      phase: 'Failed',
      container_image: '',
      execution_name: 'bad',
    });
  });
});
