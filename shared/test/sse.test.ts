import { describe, expect, it } from 'vitest';
import { type SseFrame, sseParser } from '../src/sse.js';

const parse = (chunks: string[]): SseFrame[] => {
  const frames: SseFrame[] = [];
  const p = sseParser((f) => frames.push(f));
  for (const c of chunks) p.feed(c);
  return frames;
};

describe('the one SSE frame parser', () => {
  const stream = 'event: ready\ndata: {}\n\n: heartbeat\n\nevent: grant\ndata: {"type":"grant"}\n\n';
  const want = [
    { event: 'ready', data: '{}' },
    { event: 'grant', data: '{"type":"grant"}' },
  ];

  it('reads named events and skips comments', () => {
    expect(parse([stream])).toEqual(want);
  });

  it('gives the same frames however the stream is cut into chunks', () => {
    for (let cut = 1; cut < stream.length; cut++) expect(parse([stream.slice(0, cut), stream.slice(cut)])).toEqual(want);
    expect(parse([...stream])).toEqual(want);
  });

  it('accepts CRLF and CR line ends, even a CRLF split across chunks', () => {
    expect(parse([stream.replaceAll('\n', '\r\n')])).toEqual(want);
    // a CR at the very end of a chunk may be half of a CRLF, so it is settled by the next chunk
    expect(parse([stream.replaceAll('\n', '\r'), ': next\r'])).toEqual(want);
    expect(parse(['event: ready\r', '\ndata: {}\r', '\n\r', '\n'])).toEqual([want[0]]);
  });

  it('joins multi-line data, defaults the event name to "message", keeps the id, and holds back an unfinished frame', () => {
    expect(parse(['data: a\ndata: b\nid: 7\n\n'])).toEqual([{ event: 'message', data: 'a\nb', id: '7' }]);
    expect(parse(['event: grant\ndata: {}\n'])).toEqual([]);
  });
});
