/**
 * `wfe events-sink`: the URL Tekton's CloudEvents go to (WE-13), token included, and the kubectl
 * command that points the cluster's Tekton at it. Against AWS the token is read from Secrets
 * Manager with the operator's credentials; the functions are granted nothing for it.
 */
import { type Command, noPositionals, parseCommandLine } from '../command.js';
import { configEventsPatch } from '../config-events.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from '../connect.js';
import { CLUSTER_OPTIONS, clusterFlag } from '../execution-ref.js';

const OPTIONS = { ...CLUSTER_OPTIONS, ...CONNECTION_OPTIONS } as const;

export const eventsSink: Command = {
  name: 'events-sink',
  options: OPTIONS,
  help: `Usage: wfe events-sink [--cluster NAME] [--stack NAME]

Prints a cluster's events sink URL (the stack output EventsSinkUrl with that cluster's token at the
end of its path: from the secret the output EventsTokenSecrets names for it, or EventsTokenSecretArn
for a stack serving one cluster), then the one kubectl command that sets it as the sink in Tekton's
config-events ConfigMap (run it with that cluster's KUBECONFIG). Each cluster has its own token,
which tells the sink whose Tekton sent an event. The URL is the sink's only credential: keep it out
of tickets and logs. Against the local system (wfe dev), the local sink's URL for that cluster.

Options:
  --cluster NAME   the cluster whose Tekton is to send there (default: the deployment's default cluster)
${CONNECTION_HELP}
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandLine('events-sink', argv, OPTIONS);
    noPositionals('events-sink', positionals);
    const cluster = clusterFlag('events-sink', values.cluster);
    const url = await withConnection(context, values, (connection) =>
      connection.eventsSinkUrl(cluster ?? connection.settings.defaultCluster),
    );
    context.out.write(`${url}\n${configEventsPatch(url)}\n`);
    return 0;
  },
};
