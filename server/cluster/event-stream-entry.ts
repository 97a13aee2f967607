// One event as the shared log holds it (event-log-scripts.ts): a stream entry with the id `<seq>-0`
// and the fields t (type), u (upload id, '' for none) and j (the event's JSON), and the part of that
// JSON a node sends for the publish script to complete with the seq it assigns.
import type { EncodedEvent, EventBody, EventType } from '../events/event-types.js';

export type StreamEntry = [id: string, fields: string[]];

export function toEvent([id, fields]: StreamEntry): EncodedEvent {
  const field = (name: string) => fields[fields.indexOf(name) + 1]!;
  const uploadId = field('u');
  return {
    seq: Number(id.slice(0, id.indexOf('-'))),
    type: field('t') as EventType,
    uploadId: uploadId === '' ? undefined : uploadId,
    json: field('j'),
  };
}

/** The JSON after `{"type":…,"seq":N`: what the publish script appends to the seq it assigns. */
export function restOf(body: EventBody): string {
  const { type: _type, ...fields } = body;
  const json = JSON.stringify(fields);
  return json === '{}' ? '}' : `,${json.slice(1)}`;
}
