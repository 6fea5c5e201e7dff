import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/canonical-json.js';
import { describeDuration, formatDuration, parseDuration } from '../src/duration.js';
import { ScopeSyntaxError, nestsDeeperThan, parseScope, resourceUri } from '../src/oauth.js';

describe('durations', () => {
  it.each([
    ['90s', 90],
    ['15m', 900],
    ['2h', 7200],
    ['1h30m', 5400],
    ['1d', 86400],
    [' 10M ', 600],
  ])('parses %s', (text, seconds) => expect(parseDuration(text)).toBe(seconds));

  it.each(['', '0m', '15', 'soon', '-5m', '1.5h', '2h 30m', 'm', '9999999d'])('refuses %j', (text) => expect(parseDuration(text)).toBeUndefined());

  it.each([
    [45, '45s'],
    [900, '15m'],
    [5400, '1h 30m'],
    [7200, '2h'],
    [90000, '1d 1h'],
    [-3, '0s'],
  ])('formats %d as %s', (s, text) => expect(formatDuration(s)).toBe(text));
});

describe('scope parsing (RFC 6749 §3.3)', () => {
  it('splits on spaces and drops duplicates', () => expect(parseScope('a  b a')).toEqual(['a', 'b']));
  it.each(['', '   ', 'mail"read', 'mail\\read', 'é', 'a\tb'])('refuses %j', (v) => expect(() => parseScope(v)).toThrow(ScopeSyntaxError));
});

describe('resource indicators (RFC 8707)', () => {
  it.each(['https://mail.example/', 'https://mcp.example/mcp', 'urn:example:api'])('accepts %s', (v) => expect(resourceUri.safeParse(v).success).toBe(true));
  it.each(['/relative', 'https://a.example/#frag', 'https://a.example/#', 'not a uri', ''])('refuses %j', (v) =>
    expect(resourceUri.safeParse(v).success).toBe(false),
  );
});

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
  });
  it('is stable across key insertion order', () => expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 })));
});

describe('spelled-out durations', () => {
  it.each([
    [30, '30 seconds'],
    [60, '1 minute'],
    [900, '15 minutes'],
    [3600, '1 hour'],
    [5400, '1 hour 30 minutes'],
    [7200, '2 hours'],
    [86400, '1 day'],
    [90000, '1 day 1 hour'],
  ])('%d is %s', (s, text) => expect(describeDuration(s)).toBe(text));
});

describe('JSON nesting limit', () => {
  const nest = (depth: number) => {
    let v: unknown = 'leaf';
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
    return v;
  };
  it('accepts RAR-shaped objects', () => expect(nestsDeeperThan([{ type: 'email', actions: ['read'], meta: { a: [1] } }], 8)).toBe(false));
  it('refuses deep nesting without overflowing the stack', () => expect(nestsDeeperThan(nest(100_000), 8)).toBe(true));
  it('counts depth exactly', () => {
    expect(nestsDeeperThan(nest(8), 8)).toBe(false);
    expect(nestsDeeperThan(nest(9), 8)).toBe(true);
  });
});
