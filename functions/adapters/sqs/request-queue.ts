/**
 * RequestQueue on SQS: deferrals are new messages on the request queue with DelaySeconds (a fresh
 * receive count, so waiting never pushes a request toward the dead-letter queue); rejections go
 * straight to the dead-letter queue with the reason as a message attribute, as far as it fits.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RequestQueue } from '../../core/ports.js';

/** SQS's message limit, counted over the body and every attribute's name, type and value. */
export const MAX_SQS_MESSAGE_BYTES = 256 * 1024;
/** A reason is kept readable, not a dump. */
const MAX_REASON = 4096;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');
const attributeBytes = (name: string, value: string) => utf8(name) + utf8('String') + utf8(value);

/** Half of a surrogate pair is not UTF-8 and SQS refuses it: it goes as U+FFFD. */
const wellFormed = (text: string) =>
  text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** The reason cut to the bytes left, never splitting a character; undefined when none is left. */
function cutToBytes(text: string, bytes: number): string | undefined {
  if (bytes <= 0) return undefined;
  const buffer = Buffer.from(text, 'utf8');
  if (buffer.length <= bytes) return text;
  let end = bytes;
  while (end > 0 && (buffer[end]! & 0xc0) === 0x80) end--;
  return end > 0 ? buffer.subarray(0, end).toString('utf8') : undefined;
}

export function sqsRequestQueue(sqs: SQSClient, urls: { queueUrl: string; dlqUrl: string }): RequestQueue {
  return {
    async defer(body, delaySeconds) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: urls.queueUrl, MessageBody: body, DelaySeconds: delaySeconds }),
      );
    },
    async deadLetter(body, reason) {
      const messageBody = body.length > 0 ? wellFormed(body) : '(empty message body)';
      let room = MAX_SQS_MESSAGE_BYTES - utf8(messageBody);
      const attributes: Record<string, { DataType: 'String'; StringValue: string }> = {};
      const by = 'wfe-execute';
      if (room >= attributeBytes('rejectedBy', by)) {
        attributes.rejectedBy = { DataType: 'String', StringValue: by };
        room -= attributeBytes('rejectedBy', by);
      }
      const fitting = cutToBytes(
        wellFormed(reason).slice(0, MAX_REASON),
        room - attributeBytes('reason', ''),
      );
      if (fitting) attributes.reason = { DataType: 'String', StringValue: fitting };
      const out = await sqs.send(
        new SendMessageCommand({
          QueueUrl: urls.dlqUrl,
          MessageBody: messageBody,
          ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
        }),
      );
      return out.MessageId ?? '';
    },
  };
}
