/**
 * Tekton sends its CloudEvents to the one URL in the `sink` key of the `config-events` ConfigMap in
 * `tekton-pipelines` (reference/tekton-cloudevents.md §6; the controller picks a change up without
 * a restart). The command that sets it, for `wfe dev` and `wfe events-sink` to print.
 */

/** One shell word: single-quoted, a quote inside closed, escaped and reopened. */
const shellWord = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

export function configEventsPatch(sinkUrl: string): string {
  const patch = JSON.stringify({ data: { sink: sinkUrl } });
  return `kubectl patch configmap config-events -n tekton-pipelines --type merge -p ${shellWord(patch)}`;
}
