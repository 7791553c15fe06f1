/** WE-13 the sink: what Tekton's CloudEvents get back, and what reaches the events queue. */
import { describe, expect, it } from 'vitest';
import { receiveEvent, type SinkRequest, sameToken } from '../../functions/core/tekton-event.js';
import { RecordingEvents, RecordingLog, RecordingMetrics } from '../fakes/recorders.js';

const TOKEN = 'Zk3q9vXy-secret';
const WEST_TOKEN = 'Qm7w2pLs-secret';
const run = {
  metadata: { name: 'wfe-0123456789abcdef', namespace: 'kubernaut-workflows', uid: 'u1' },
  spec: { serviceAccountName: 'x' },
  status: { completionTime: '2026-03-01T10:00:05Z', conditions: [{ type: 'Succeeded', status: 'True' }] },
};
const binary = (over: Partial<SinkRequest> = {}): SinkRequest => ({
  method: 'POST',
  path: `/tekton/${TOKEN}`,
  headers: {
    'content-type': 'application/json',
    'ce-specversion': '1.0',
    'ce-type': 'dev.tekton.event.pipelinerun.successful.v1',
    'ce-id': 'id-1',
    'ce-source': '/apis///namespaces/kubernaut-workflows//wfe-0123456789abcdef',
    'ce-subject': 'wfe-0123456789abcdef',
  },
  body: JSON.stringify({ pipelineRun: run }),
  ...over,
});

function sink(fail?: 'queue' | 'token') {
  const events = new RecordingEvents();
  const metrics = new RecordingMetrics();
  const log = new RecordingLog();
  const deps = {
    tokens: async () => {
      if (fail === 'token') throw new Error('Secrets Manager unavailable');
      return new Map([
        ['default', TOKEN],
        ['west', WEST_TOKEN],
      ]);
    },
    events:
      fail === 'queue'
        ? {
            send: async () => {
              throw new Error('SQS unavailable');
            },
          }
        : events,
    metrics,
    log,
  };
  return { events, metrics, log, receive: (r: SinkRequest) => receiveEvent(r, deps) };
}

describe('WE-13 events sink', () => {
  it('enqueues a binary-mode PipelineRun event as a hint (name, namespace, type, completionTime) and answers 202', async () => {
    const s = sink();
    expect(await s.receive(binary())).toEqual({ status: 202 });
    expect(s.events.sent).toEqual([
      {
        message: {
          kind: 'run',
          cluster: 'default',
          namespace: 'kubernaut-workflows',
          name: 'wfe-0123456789abcdef',
          type: 'dev.tekton.event.pipelinerun.successful.v1',
          completionTime: '2026-03-01T10:00:05Z',
        },
        delaySeconds: 0,
      },
    ]);
    expect(s.metrics.sum('wfe_events_received_total')).toBe(1);
  });

  it('WE-16: the token names the cluster: an event with west’s token is queued for west', async () => {
    const s = sink();
    expect(await s.receive(binary({ path: `/tekton/${WEST_TOKEN}` }))).toEqual({ status: 202 });
    expect(s.events.sent.map((e) => e.message.cluster)).toEqual(['west']);
    expect(await s.receive(binary({ path: `/tekton/${TOKEN}x` }))).toEqual({ status: 404 });
    expect(s.events.sent).toHaveLength(1);
  });

  it('reads structured mode too (data or data_base64)', async () => {
    const s = sink();
    const envelope = {
      specversion: '1.0',
      type: 'dev.tekton.event.pipelinerun.failed.v1',
      id: 'x',
      source: 's',
    };
    const headers = { 'content-type': 'application/cloudevents+json; charset=utf-8' };
    expect(
      await s.receive(binary({ headers, body: JSON.stringify({ ...envelope, data: { pipelineRun: run } }) })),
    ).toEqual({ status: 202 });
    const data_base64 = Buffer.from(JSON.stringify({ pipelineRun: run })).toString('base64');
    expect(await s.receive(binary({ headers, body: JSON.stringify({ ...envelope, data_base64 }) }))).toEqual({
      status: 202,
    });
    expect(s.events.sent.map((e) => e.message.type)).toEqual([envelope.type, envelope.type]);
  });

  it('a wrong or missing token is a 404 and nothing else: nothing parsed, nothing enqueued', async () => {
    const s = sink();
    const paths = [
      '/tekton/wrong',
      `/tekton/${TOKEN}x`,
      `/tekton/${TOKEN.slice(0, -1)}`,
      '/tekton/',
      '/',
      `/other/${TOKEN}`,
    ];
    for (const path of paths)
      expect(await s.receive(binary({ path, body: 'not even json' }))).toEqual({ status: 404 });
    expect(s.events.sent).toHaveLength(0);
    expect(s.metrics.sum('wfe_events_ignored_total', { reason: 'bad-token' })).toBe(paths.length);
    console.log(`wrong tokens: ${paths.length} requests → 404, 0 enqueued`);
  });

  it('malformed events are 400 (Tekton does not retry them); TaskRun events are accepted and dropped', async () => {
    const s = sink();
    const bad = [
      binary({ body: '{' }),
      binary({ body: JSON.stringify({ taskRun: run }) }),
      binary({ body: JSON.stringify({ pipelineRun: { metadata: { name: 'x' } } }) }),
      binary({ headers: { 'content-type': 'application/json' } }),
      binary({ headers: { 'content-type': 'application/cloudevents+json' }, body: '{"data":{}}' }),
    ];
    for (const request of bad) expect((await s.receive(request)).status).toBe(400);
    const taskRun = binary({
      headers: { ...binary().headers, 'ce-type': 'dev.tekton.event.taskrun.successful.v1' },
      body: JSON.stringify({ taskRun: run }),
    });
    expect(await s.receive(taskRun)).toEqual({ status: 202 });
    expect(s.events.sent).toHaveLength(0);
    expect(s.metrics.sum('wfe_events_ignored_total', { reason: 'bad-shape' })).toBe(bad.length);
    console.log(`malformed: ${bad.length} → 400; TaskRun event → 202, not enqueued`);
  });

  it('answers 503 (retried by Tekton) when the queue or the token is unavailable, never 500', async () => {
    expect(await sink('queue').receive(binary())).toEqual({ status: 503 });
    expect(await sink('token').receive(binary())).toEqual({ status: 503 });
  });

  it('a good token with another method is 405', async () => {
    expect(await sink().receive(binary({ method: 'GET' }))).toEqual({ status: 405 });
  });

  it('compares tokens of any length', () => {
    expect(sameToken(TOKEN, TOKEN)).toBe(true);
    expect(sameToken('', TOKEN)).toBe(false);
    expect(sameToken(`${TOKEN}${'x'.repeat(1000)}`, TOKEN)).toBe(false);
  });
});

describe('WE-13 events sink: what each request gets back, one case at a time', () => {
  const structuredHeaders = { 'content-type': 'application/cloudevents+json' };
  const envelope = {
    specversion: '1.0',
    type: 'dev.tekton.event.pipelinerun.running.v1',
    id: 'x',
    source: 's',
  };

  it('accepts the token path with a trailing slash, and a token that needed percent-encoding', async () => {
    expect(await sink().receive(binary({ path: `/tekton/${TOKEN}/` }))).toEqual({ status: 202 });
    const odd = 'a/b c+d';
    const s = sink();
    const deps = {
      tokens: async () => new Map([['default', odd]]),
      events: s.events,
      metrics: s.metrics,
      log: s.log,
    };
    expect(await receiveEvent(binary({ path: `/tekton/${encodeURIComponent(odd)}` }), deps)).toEqual({
      status: 202,
    });
    // A broken escape is compared as it is: a 404, never a thrown URIError.
    expect(await receiveEvent(binary({ path: '/tekton/%E0%A4%A' }), deps)).toEqual({ status: 404 });
    expect(s.events.sent).toHaveLength(1);
  });

  it('answers 405 to another method before counting it received', async () => {
    const s = sink();
    await s.receive(binary({ method: 'PUT' }));
    expect(s.metrics.sum('wfe_events_received_total')).toBe(0);
    expect(s.events.sent).toHaveLength(0);
  });

  it.each([
    ['a body that is not JSON', binary({ body: '{' }), 'body is not JSON'],
    [
      'a structured event without its type',
      binary({ headers: structuredHeaders, body: '{"specversion":"1.0"}' }),
      'structured event without specversion and type',
    ],
    [
      'data_base64 that is not JSON',
      binary({
        headers: structuredHeaders,
        body: JSON.stringify({ ...envelope, data_base64: Buffer.from('{').toString('base64') }),
      }),
      'data_base64 is not JSON',
    ],
    [
      'a binary event without Ce-Specversion',
      binary({ headers: { 'ce-type': 'dev.tekton.event.pipelinerun.running.v1' } }),
      'binary event without Ce-Type and Ce-Specversion',
    ],
    [
      'a binary event without Ce-Type',
      binary({ headers: { 'ce-specversion': '1.0' } }),
      'binary event without Ce-Type and Ce-Specversion',
    ],
    [
      'a structured event without data',
      binary({ headers: structuredHeaders, body: JSON.stringify(envelope) }),
      'data is not {"pipelineRun": {...}} with metadata.name and metadata.namespace',
    ],
    [
      'a PipelineRun without a name',
      binary({ body: JSON.stringify({ pipelineRun: { metadata: { name: '', namespace: 'ns' } } }) }),
      'data is not {"pipelineRun": {...}} with metadata.name and metadata.namespace',
    ],
  ])('400 for %s says what is wrong', async (_what, request, body) => {
    const s = sink();
    expect(await s.receive(request)).toEqual({ status: 400, body });
    expect(s.metrics.sum('wfe_events_ignored_total', { reason: 'bad-shape' })).toBe(1);
  });

  it.each([
    'dev.tekton.event.taskrun.started.v1',
    'dev.tekton.event.customrun.running.v1',
    'xdev.tekton.event.pipelinerun.started.v1',
    'dev.tekton.event.pipelinerun.started.v1beta',
    'dev.tekton.event.pipelinerun..v1',
  ])('another event type (%s) is accepted, counted as other-type and not enqueued', async (type) => {
    const s = sink();
    expect(await s.receive(binary({ headers: { ...binary().headers, 'ce-type': type } }))).toEqual({
      status: 202,
    });
    expect(s.metrics.sum('wfe_events_ignored_total', { reason: 'other-type' })).toBe(1);
    expect(s.events.sent).toHaveLength(0);
  });

  it('a structured event with both data and data_base64 is read from data; a run without completionTime sends none', async () => {
    const s = sink();
    const { status: _none, ...running } = run;
    const body = JSON.stringify({ ...envelope, data: { pipelineRun: running }, data_base64: 'e30=' });
    expect(await s.receive(binary({ headers: structuredHeaders, body }))).toEqual({ status: 202 });
    expect(s.events.sent[0]?.message).toEqual({
      kind: 'run',
      cluster: 'default',
      namespace: 'kubernaut-workflows',
      name: 'wfe-0123456789abcdef',
      type: envelope.type,
    });
  });

  it('every count the sink keeps is a Count', async () => {
    const s = sink();
    await s.receive(binary({ path: '/tekton/wrong' }));
    await s.receive(binary({ body: '{' }));
    await s.receive(
      binary({ headers: { ...binary().headers, 'ce-type': 'dev.tekton.event.taskrun.started.v1' } }),
    );
    await s.receive(binary({ body: '{}' }));
    expect(s.metrics.entries.map((m) => [m.name, m.unit, m.dimensions?.reason])).toEqual([
      ['wfe_events_ignored_total', 'Count', 'bad-token'],
      ['wfe_events_received_total', 'Count', undefined],
      ['wfe_events_ignored_total', 'Count', 'bad-shape'],
      ['wfe_events_received_total', 'Count', undefined],
      ['wfe_events_ignored_total', 'Count', 'other-type'],
      ['wfe_events_received_total', 'Count', undefined],
      ['wfe_events_ignored_total', 'Count', 'bad-shape'],
    ]);
  });

  it('says in a warning why Tekton must retry', async () => {
    const queue = sink('queue');
    await queue.receive(binary());
    const token = sink('token');
    await token.receive(binary());
    expect([...queue.log.lines, ...token.log.lines]).toEqual([
      {
        level: 'warn',
        message: 'events queue unavailable; Tekton retries',
        fields: { error: 'SQS unavailable' },
      },
      {
        level: 'warn',
        message: 'events sink cannot read its tokens; Tekton retries',
        fields: { error: 'Secrets Manager unavailable' },
      },
    ]);
  });
});
