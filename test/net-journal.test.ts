/**
 * The journal on disk: every event comes back in order after close, the
 * first events stay in memory, and a storm of events is written in chunks.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JournalWriter, readJournal } from '../src/harness/journal.js';
import type { JournalEvent } from '../src/harness/types.js';

function tempFile(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-journal-'));
  return path.join(dir, name);
}

function event(i: number): JournalEvent {
  return {
    type: i % 2 === 0 ? 'send' : 'recv',
    time: i * 1000,
    message: { id: i >> 1, src: 'n1', dest: 'n2', body: { type: 'gossip', msg_id: i, text: 'é✓😀' } },
  };
}

async function readAll(file: string): Promise<JournalEvent[]> {
  const out: JournalEvent[] = [];
  for await (const ev of readJournal(file)) out.push(ev);
  return out;
}

test('every event added comes back, in order, after close()', async () => {
  const file = tempFile('journal.jsonl');
  const w = new JournalWriter({ path: file, chunkBytes: 1000 });
  const events = Array.from({ length: 5000 }, (_, i) => event(i));
  for (const ev of events) w.add(ev, i_line(ev));
  await w.close();
  assert.deepEqual(await readAll(file), events);
  assert.equal(w.count, 5000);
});

function i_line(ev: JournalEvent): string {
  return JSON.stringify(ev.message);
}

test('each line is {"type","time","message"} with the message JSON as given', async () => {
  const file = tempFile('journal.jsonl');
  const w = new JournalWriter({ path: file });
  w.add({ type: 'send', time: 12, message: { id: 0, src: 'c0', dest: 'n1', body: { type: 'read' } } }, '{"id":0,"src":"c0","dest":"n1","body":{"type":"read"}}');
  w.add({ type: 'recv', time: 13, message: { id: 0, src: 'c0', dest: 'n1', body: { type: 'read' } } });
  await w.close();
  assert.equal(
    fs.readFileSync(file, 'utf8'),
    '{"type":"send","time":12,"message":{"id":0,"src":"c0","dest":"n1","body":{"type":"read"}}}\n' +
      '{"type":"recv","time":13,"message":{"id":0,"src":"c0","dest":"n1","body":{"type":"read"}}}\n',
  );
});

test('only the first keepFirst events stay in memory', async () => {
  const file = tempFile('journal.jsonl');
  const w = new JournalWriter({ path: file, keepFirst: 10 });
  for (let i = 0; i < 100; i++) w.add(event(i));
  assert.deepEqual(w.firstEvents, Array.from({ length: 10 }, (_, i) => event(i)));
  await w.close();
});

test('when the disk falls behind, events are written synchronously and none is lost or reordered', async () => {
  const file = tempFile('journal.jsonl');
  // A tiny backlog limit forces the synchronous path while async writes are in flight.
  const w = new JournalWriter({ path: file, chunkBytes: 2000, maxBacklogBytes: 5000 });
  const events = Array.from({ length: 20_000 }, (_, i) => event(i));
  for (const ev of events) w.add(ev);
  await w.close();
  assert.deepEqual(await readAll(file), events);
});

test('a storm of 100,000 events is written in a few large writes, holding a bounded backlog', async () => {
  const file = tempFile('journal.jsonl');
  const w = new JournalWriter({ path: file, maxBacklogBytes: 4 << 20 });
  for (let i = 0; i < 100_000; i++) w.add(event(i));
  await w.close();
  let n = 0;
  for await (const _ of readJournal(file)) n++;
  assert.equal(n, 100_000);
  const { writeCalls, syncWriteCalls, peakBacklogBytes } = w.stats();
  const total = fs.statSync(file).size;
  assert.ok(total > 10 << 20, `wrote ${total} bytes`);
  assert.ok(writeCalls + syncWriteCalls < 100, `${writeCalls} + ${syncWriteCalls} write calls`);
  assert.ok(peakBacklogBytes <= 4 << 20, `peak backlog ${peakBacklogBytes}`);
});

test('a quiet journal is still written out within the flush interval', async () => {
  const file = tempFile('journal.jsonl');
  const w = new JournalWriter({ path: file, flushIntervalMs: 20 });
  w.add(event(0));
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(fs.readFileSync(file, 'utf8').split('\n').length, 2);
  await w.close();
});

test('a journal that cannot be opened is reported with its path', () => {
  assert.throws(() => new JournalWriter({ path: '/nonexistent-dir/journal.jsonl' }), /cannot open the journal file \/nonexistent-dir\/journal.jsonl/);
});

test('reading a corrupt journal names the file and line', async () => {
  const file = tempFile('journal.jsonl');
  fs.writeFileSync(file, JSON.stringify(event(0)) + '\n{oops\n');
  await assert.rejects(readAll(file), /journal.jsonl:2 is not a JSON journal event/);
});
