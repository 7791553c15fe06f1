/**
 * `wfe events-sink`: the URL Tekton's CloudEvents go to (WE-13), token included, and the kubectl
 * command that points the cluster's Tekton at it. Against AWS the token is read from Secrets
 * Manager with the operator's credentials; the functions are granted nothing for it.
 */
import { type Command, noPositionals, parseCommandLine } from '../command.js';
import { configEventsPatch } from '../config-events.js';
import { CONNECTION_HELP, CONNECTION_OPTIONS, withConnection } from '../connect.js';

export const eventsSink: Command = {
  name: 'events-sink',
  options: CONNECTION_OPTIONS,
  help: `Usage: wfe events-sink [--stack NAME]

Prints the events sink's full URL (the stack output EventsSinkUrl with the token from the
EventsTokenSecretArn secret at the end of its path), then the one kubectl command that sets it as
the sink in Tekton's config-events ConfigMap (run it with the cluster's KUBECONFIG). The URL is the
sink's only credential: keep it out of tickets and logs. Against the local system (wfe dev), the
local sink's URL.

Options:
${CONNECTION_HELP}
`,
  async run(argv, context) {
    const { values, positionals } = parseCommandLine('events-sink', argv, CONNECTION_OPTIONS);
    noPositionals('events-sink', positionals);
    const url = await withConnection(context, values, (connection) => connection.eventsSinkUrl());
    context.out.write(`${url}\n${configEventsPatch(url)}\n`);
    return 0;
  },
};
