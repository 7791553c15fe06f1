/**
 * `wfe release TARGET --reason TEXT`: the forced release of a target's lock, audited with who and
 * why (functions/core/force-release.ts holds the rules).
 */
import { systemClock } from '../../functions/adapters/system-clock.js';
import { executionKey } from '../../functions/core/execution-id.js';
import { forceRelease, MIN_REASON_WORDS, reasonRefusal } from '../../functions/core/force-release.js';
import { CliError, UsageError } from '../cli-error.js';
import { type Command, onePositional, parseCommandLine } from '../command.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, clusterNames, withConnection } from '../connect.js';

const OPTIONS = {
  reason: { type: 'string' },
  cluster: { type: 'string' },
  ...CONNECTION_OPTIONS,
} as const;

const RUN_OUTCOME = {
  deleted: 'its PipelineRun was deleted',
  absent: 'it had no PipelineRun left',
  'not-owner': "its PipelineRun name belongs to another execution's run, which was left alone",
} as const;

export const release: Command = {
  name: 'release',
  options: OPTIONS,
  help: `Usage: wfe release TARGET --reason TEXT [--cluster NAME] [--stack NAME]

Force-releases the lock on TARGET (e.g. payment/Deployment/payment-api) before its cooldown or
lease would: deletes the holder's PipelineRun (only if it still belongs to the holder), deletes the
lock, marks the holder LockReleased, and writes a workflow.lock_force_released audit record with
who did it (the AWS caller identity, or the local user) and why. A holder still running loses its
run and ends Failed at the next reconcile.

Options:
  --reason TEXT   why, in at least ${MIN_REASON_WORDS} words (required; it goes to the audit trail)
  --cluster NAME  the cluster of the lock, when TARGET is locked in more than one (default: the
                  deployment's default cluster, when it is one of them)
${CONNECTION_HELP}
  Against AWS, the lock's cluster is reached with KUBECONFIG (or ~/.kube/config): point it at that
  cluster. The PipelineRuns are looked for in the cluster's execution namespace, and a lock of a
  cluster the stack does not serve is refused.
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandLine('release', argv, OPTIONS);
    const target = onePositional('release', positionals, 'TARGET');
    const reason = values.reason?.trim();
    if (!reason)
      throw new UsageError('--reason TEXT is required: say why the lock must go (see wfe release --help)');
    const refusal = reasonRefusal(reason);
    if (refusal) throw new CliError(`refused: ${refusal}`);

    await withConnection(context, values, async (connection) => {
      const served = clusterNames(connection.settings);
      const clusters = values.cluster ? [values.cluster] : served;
      const candidates = (await connection.listing.locks({ clusters, target })).items;
      const preferred = candidates.filter((l) => l.cluster === connection.settings.defaultCluster);
      const matches = candidates.length > 1 && preferred.length === 1 ? preferred : candidates;
      if (matches.length === 0) throw new CliError(`no lock on ${target} in ${connection.where}`);
      if (matches.length > 1)
        throw new CliError(
          `${target} is locked in several clusters (${matches.map((l) => l.cluster).join(', ')}): choose one with --cluster`,
        );
      const lock = matches[0]!;
      // The run is looked for in the lock's cluster: a cluster the deployment does not serve
      // cannot be reached, and its lock would be freed while its run goes on there.
      if (!served.includes(lock.cluster))
        throw new CliError(
          `refused: the lock on ${target} is in cluster ${lock.cluster}, which ${connection.where} does not serve (${served.join(', ')})`,
        );
      const releasedBy = await connection.whoami();
      const cluster = await connection.cluster(lock.cluster);
      const outcome = await forceRelease(
        { lockKey: lock.key, reason, releasedBy },
        {
          store: connection.store,
          clusters: () => cluster,
          clock: systemClock,
          settings: connection.settings,
        },
      );
      if (outcome.kind === 'refused') throw new CliError(`refused: ${outcome.reason}`);
      if (outcome.kind === 'no-lock') throw new CliError(`no lock on ${target}: it was released meanwhile`);
      if (outcome.kind === 'contended')
        throw new CliError(`the lock on ${target} kept changing under ${outcome.rounds} attempts; try again`);
      context.out.write(
        `lock on ${target} released (holder ${executionKey(outcome.lock.holder)}, ${outcome.lock.state}); ${RUN_OUTCOME[outcome.run]}; audited as workflow.lock_force_released by ${releasedBy}\n`,
      );
    });
    return 0;
  },
};
