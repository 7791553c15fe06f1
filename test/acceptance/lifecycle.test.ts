/**
 * Kubernaut's lifecycle_test.go ("WorkflowExecution CRD Lifecycle"). An execution here is not a
 * cluster object: it is created by a request on the queue and read with `wfe`. Deleting a CRD with
 * a finalizer maps to the operator's forced release (`wfe release`), and a controller restart to
 * a restarted local system; see README.md for the scenarios that do not apply.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startDataStorage } from '../../local/datastorage/server.js';
import { startKubeApi } from '../../local/kube-api/index.js';
import {
  acceptanceSystem,
  auditEventsOf,
  completeRun,
  condition,
  type Harness,
  request,
  runningHeld,
  startAcceptance,
  unique,
  waitFor,
} from './harness.js';

const WFE_BIN = fileURLToPath(new URL('../../bin/wfe.mjs', import.meta.url));

const h = acceptanceSystem({}, 150_000);

describe.concurrent('WorkflowExecution CRD Lifecycle', () => {
  describe('CRD Creation', () => {
    it('should create WorkflowExecution successfully — `wfe submit` (the binary) then `wfe get` (WE-12, WE-5)', async () => {
      const { name, target } = unique('create');
      const file = join(h.dir, `${name}.yaml`);
      await writeFile(
        file,
        `apiVersion: kubernaut.ai/v1alpha1
kind: WorkflowExecution
metadata:
  name: ${name}
  namespace: default
spec:
  workflowRef: {workflowId: test-workflow, version: v1.0.0, containerImage: "ghcr.io/kubernaut/workflows/test@sha256:abc123"}
  targetResource: ${target}
  parameters: {NAMESPACE: production}
`,
      );
      const env = { ...process.env };
      delete env.WFE_STACK;
      const { stdout } = await promisify(execFile)(process.execPath, [WFE_BIN, 'submit', '-f', file], {
        cwd: h.dir,
        env,
      });
      expect(stdout).toBe(`default/default/${name} created\n`);
      const we = await waitFor(`${name} to exist`, () => h.get(name));
      expect(we).toMatchObject({
        apiVersion: 'kubernaut.ai/v1alpha1',
        kind: 'WorkflowExecution',
        metadata: { name, namespace: 'default' },
      });
      const table = await h.wfe('get', `default/${name}`);
      expect(table.code).toBe(0);
      expect(table.out).toContain(name);
      expect(table.out).toContain(target);
    });

    it('should preserve spec fields after creation (WE-5)', async () => {
      const { name, target } = unique('spec');
      const body = request({ name, target, parameters: { KEY: 'value', NEW_MEMORY_LIMIT: '1Gi' } });
      const spec = {
        ...body.spec,
        confidence: 0.95,
        rationale: 'OOMKilled three times in an hour; raising the memory limit',
      };
      await h.submit({ ...body, spec });
      const we = await waitFor(`${name} to exist`, () => h.get(name));
      expect(we.spec).toEqual(spec);
      expect(we.spec.targetResource).toBe(target);
      expect(we.spec.workflowRef?.workflowId).toBe('test-workflow');
      expect(we.spec.parameters).toEqual({ KEY: 'value', NEW_MEMORY_LIMIT: '1Gi' });
      expect(we.spec.confidence).toBe(0.95);
    });
  });

  describe('CRD Status Updates (Controller-Driven)', () => {
    it('should update status to Running via controller (WE-5)', async () => {
      const { name, target } = unique('running');
      const sentAt = Date.now();
      await h.submit(request({ name, target, simulate: 'hang' }));
      const running = await h.waitForPhase(name, 'Running');
      const startTime = Date.parse(running.status.startTime!);
      expect(startTime).toBeGreaterThanOrEqual(sentAt - 1000);
      expect(startTime).toBeLessThanOrEqual(Date.now());
      expect(running.status.completionTime).toBeUndefined();
      await completeRun(h, running.status.pipelineRunRef!.name);
    });

    it('should set PipelineRunRef when Running (WE-5)', async () => {
      const { name, target } = unique('ref');
      const { running, run } = await runningHeld(h, name, target);
      expect(running.status.pipelineRunRef).toEqual({ name: run.metadata.name });
      await completeRun(h, run.metadata.name);
    });
  });

  describe('CRD Deletion', () => {
    it('should delete WorkflowExecution with controller cleanup — mapped to `wfe release`: the holder’s run is deleted, the lock goes, who and why are audited, the holder ends Failed (WE-12, WE-7)', async () => {
      const { name, target } = unique('release');
      const { runName } = await runningHeld(h, name, target);
      const reason =
        'the remediation is stuck on a node drain and the on-call engineer is taking over manually';
      const short = await h.wfe('release', target, '--reason', 'stuck');
      expect(short.code).not.toBe(0);
      expect(short.err).toContain('at least 10 words');
      const released = await h.wfe('release', target, '--reason', reason);
      expect(released.err).toBe('');
      expect(released.code).toBe(0);
      expect(released.out).toContain(`lock on ${target} released (holder default/default/${name}`);
      expect(await h.pipelineRun(runName)).toBeUndefined();
      expect((await h.locks()).find((l) => l.target === target)).toBeUndefined();
      const failed = await h.waitForPhase(name, 'Failed');
      expect(condition(failed, 'LockReleased')?.message).toContain(reason);
      expect(failed.status.failureDetails?.message).toBe('PipelineRun was deleted externally');
      const [audit] = await auditEventsOf(h, name, 'workflow.lock_force_released');
      expect(audit!.actor_type).toBe('user');
      expect(audit!.event_data).toMatchObject({
        reason,
        pipelinerun_name: runName,
        pipelinerun_deleted: true,
      });
      // The target is free at once: no cooldown after a forced release.
      const next = `release-next-${name.slice(-8)}`;
      await h.submit(request({ name: next, target }));
      await h.waitForPhase(next, 'Running');
    });

    it('should recover orphaned PipelineRuns after controller restart during deletion — mapped to a restarted local system: a run that ends while the functions are down is followed up, its lock released (WE-6, WE-7, WE-10)', async () => {
      // The cluster and DataStorage are not part of the serverless system: they outlive its restart.
      const kube = await startKubeApi({ simulator: { mode: 'auto', runDurationMs: 400 } });
      const dataStorage = await startDataStorage();
      const kubeconfig = join(h.dir, `kubeconfig-${unique('k').name}`);
      await writeFile(kubeconfig, kube.kubeconfig(), { mode: 0o600 });
      const env = { KUBECONFIG: kubeconfig, DATASTORAGE_URL: dataStorage.url };
      let first: Harness | undefined;
      let second: Harness | undefined;
      try {
        first = await startAcceptance({ env, keepDir: true });
        const { name, target } = unique('restart');
        const { runName } = await runningHeld(first, name, target);
        await auditEventsOf(first, name, 'workflow.started');
        await first.stop();
        // Down: Tekton finishes the run with nobody watching.
        const completionTime = new Date().toISOString();
        await completeRun(first, runName, completionTime);
        second = await startAcceptance({ env, tableName: first.tableName, dir: first.dir });
        const done = await second.waitForPhase(name, 'Completed');
        expect(done.status.completionTime).toBe(completionTime);
        await second.waitForExecution(name, (we) => Boolean(condition(we, 'LockReleased')), 'LockReleased', {
          timeoutMs: second.cooldownMs + 30_000,
        });
        expect(await second.pipelineRun(runName)).toBeUndefined();
        expect(await second.locks()).toEqual([]);
        const completed = await auditEventsOf(second, name, 'workflow.completed');
        expect(completed).toHaveLength(1);
        // Nothing lost across the restart. (At least once: the local stream poller has no stored
        // checkpoint, so a restart on the same table reads the stream from its start again.)
        const started = await second.audit({ correlation_id: name, event_type: 'workflow.started' });
        expect(started.pagination.total).toBeGreaterThanOrEqual(1);
      } finally {
        await first?.stop();
        await second?.stop();
        await kube.close();
        await dataStorage.close();
      }
    });
  });

  describe('Spec Validation', () => {
    it('should accept valid WorkflowExecution spec — and end an invalid one Failed/ConfigurationError with the reason (§2, WE-5)', async () => {
      const valid = unique('valid');
      await h.submit(request(valid));
      const accepted = await h.waitForExecution(
        valid.name,
        (we) => we.status.phase !== 'Pending',
        'to be taken',
      );
      expect(accepted.status.phase).not.toBe('Failed');

      const invalid = unique('invalid');
      const body = request({ ...invalid, target: 'just-a-name' });
      // `wfe submit` refuses it before anything is sent…
      const file = join(h.dir, `${invalid.name}.json`);
      await writeFile(file, JSON.stringify(body));
      const refused = await h.wfe('submit', '-f', file);
      expect(refused.code).not.toBe(0);
      expect(refused.err).toContain('targetResource');
      // …and any other SQS client's copy ends Failed, saying what was wrong.
      await h.send(JSON.stringify(body));
      const failed = await h.waitForPhase(invalid.name, 'Failed');
      expect(failed.status.failureDetails).toMatchObject({
        reason: 'ConfigurationError',
        wasExecutionFailure: false,
      });
      expect(failed.status.failureDetails!.message).toContain('targetResource');
      expect(condition(failed, 'TektonPipelineCreated')).toMatchObject({ status: 'False' });
      expect(failed.status.pipelineRunRef).toBeUndefined();
    });
  });
});
