import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policySchema } from '../src/policy.js';

const EXAMPLES = resolve(import.meta.dirname, '../../docs/examples');
const json = (name: string) => JSON.parse(readFileSync(resolve(EXAMPLES, name), 'utf8')) as Record<string, unknown>;
const ID = 'ffgkmgaanieiccjamnkagikpfjiadigm';

/** The documented examples are what admins copy: they must stay valid against the one policy schema. */
describe('enterprise policy examples', () => {
  it('the daemon policy file uses every key, validly', () => {
    const policy = policySchema.parse(json('mandate-policy.json'));
    expect(Object.keys(policy).sort()).toEqual(Object.keys(policySchema.unwrap().shape).sort());
  });

  it('the Chrome managed values are valid', () => {
    const chrome = json('chrome-policy.json') as { '3rdparty': { extensions: Record<string, unknown> } };
    expect(policySchema.safeParse(chrome['3rdparty'].extensions[ID]).success).toBe(true);
  });

  it('the Firefox managed values are valid', () => {
    const ff = json('firefox-policies.json') as { policies: { '3rdparty': { Extensions: Record<string, unknown> } } };
    expect(policySchema.safeParse(ff.policies['3rdparty'].Extensions['mandate@mandate.dev']).success).toBe(true);
  });
});
