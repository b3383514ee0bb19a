// A worker's filter is one pattern: CDK deploys it as Lambda filter criteria, the local runtime
// evaluates it. These check that the pattern selects what the manifest entry says, and only that.
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { matches } from '../../lib/local/streams';
import { workers } from '../../lib/workers';
import { toRow } from '../../shared/streams/worker';
import { filterPattern } from '../../shared/streams/worker-def';

const rec = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', keys: object, newImage?: object, oldImage?: object): DynamoDBRecord => ({
  eventName,
  dynamodb: {
    Keys: marshall(keys) as never,
    NewImage: newImage && (marshall(newImage) as never),
    OldImage: oldImage && (marshall(oldImage) as never),
    SequenceNumber: '1',
  },
});

describe('filter patterns', () => {
  it('deliverContactEmail takes contact INSERTs only', () => {
    const p = filterPattern(workers.deliverContactEmail!);
    expect(matches(p, rec('INSERT', { pk: 'CONTACT#1', sk: 'CONTACT' }))).toBe(true);
    expect(matches(p, rec('MODIFY', { pk: 'CONTACT#1', sk: 'CONTACT' }))).toBe(false);
    expect(matches(p, rec('REMOVE', { pk: 'CONTACT#1', sk: 'CONTACT' }))).toBe(false);
    expect(matches(p, rec('INSERT', { pk: 'USER#1', sk: 'SETTINGS' }))).toBe(false);
    expect(matches(p, rec('INSERT', { pk: 'XCONTACT#1', sk: 'CONTACT' }))).toBe(false);
  });

  it('sk prefixes and a watched field: the pattern keeps rows that carry the field', () => {
    const p = filterPattern({ on: { events: ['INSERT', 'MODIFY'], pk: 'USER#', sk: 'DEVICE#', changed: 'lastSeen' } });
    expect(p).toEqual({
      eventName: ['INSERT', 'MODIFY'],
      dynamodb: { Keys: { pk: { S: [{ prefix: 'USER#' }] }, sk: { S: [{ prefix: 'DEVICE#' }] } }, NewImage: { lastSeen: [{ exists: true }] } },
    });
    expect(matches(p, rec('MODIFY', { pk: 'USER#a', sk: 'DEVICE#d' }, { lastSeen: 'x' }))).toBe(true);
    expect(matches(p, rec('MODIFY', { pk: 'USER#a', sk: 'DEVICE#d' }, { other: 'x' }))).toBe(false);
    expect(matches(p, rec('MODIFY', { pk: 'USER#a', sk: 'SETTINGS' }, { lastSeen: 'x' }))).toBe(false);
  });
});

describe('stream rows', () => {
  it('unmarshals keys and both images', () => {
    const row = toRow(rec('MODIFY', { pk: 'CONTACT#1', sk: 'CONTACT' }, { n: 2, tags: ['a'] }, { n: 1 }));
    expect(row).toMatchObject({ event: 'MODIFY', keys: { pk: 'CONTACT#1', sk: 'CONTACT' }, newImage: { n: 2, tags: ['a'] }, oldImage: { n: 1 } });
  });
});
