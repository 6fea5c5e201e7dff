/**
 * sqliteAddon (src/store/sqlite-addon.ts) names better-sqlite3's native addon for the package Node resolves, looking
 * where the `bindings` package would (npm's build/Release first), and names none where that package has no addon.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { sqliteAddon } from '../src/store/sqlite-addon.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

it("names this checkout's build/Release addon, and better-sqlite3 opens a database with it", () => {
  const found = sqliteAddon();
  expect(found.nativeBinding).toMatch(/node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node$/);
  const db = new BetterSqlite3(':memory:', found);
  expect(db.prepare('select 1 as one').get()).toEqual({ one: 1 });
  db.close();
});

it('stops at the nearest better-sqlite3 package, as Node resolves it, and names nothing when that one has no addon there', () => {
  const root = mkdtempSync(join(tmpdir(), 'mandate-addon-'));
  dirs.push(root);
  const nested = join(root, 'app', 'dist', 'daemon');
  mkdirSync(nested, { recursive: true });
  const pkg = join(root, 'app', 'node_modules', 'better-sqlite3');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{"name":"better-sqlite3"}');
  // an addon further up belongs to another package: it must not be taken for this one's
  mkdirSync(join(root, 'node_modules', 'better-sqlite3', 'build', 'Release'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'better-sqlite3', 'package.json'), '{"name":"better-sqlite3"}');
  writeFileSync(join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), '');
  expect(sqliteAddon(nested)).toEqual({});

  mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
  writeFileSync(join(pkg, 'build', 'Release', 'better_sqlite3.node'), '');
  expect(sqliteAddon(nested)).toEqual({ nativeBinding: join(pkg, 'build', 'Release', 'better_sqlite3.node') });
  expect(sqliteAddon('/')).toEqual({});
});

it("finds the addon in the other layouts `bindings` searches, npm's build/Release before them", () => {
  const root = mkdtempSync(join(tmpdir(), 'mandate-addon-'));
  dirs.push(root);
  const pkg = join(root, 'node_modules', 'better-sqlite3');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), '{"name":"better-sqlite3"}');
  const place = (...layout: string[]) => {
    mkdirSync(join(pkg, ...layout), { recursive: true });
    writeFileSync(join(pkg, ...layout, 'better_sqlite3.node'), '');
    return join(pkg, ...layout, 'better_sqlite3.node');
  };
  // node-pre-gyp's folder, named for this Node's ABI, platform and architecture
  const preGyp = place('lib', 'binding', `node-v${process.versions.modules}-${process.platform}-${process.arch}`);
  expect(sqliteAddon(root)).toEqual({ nativeBinding: preGyp });
  const debug = place('build', 'Debug');
  expect(sqliteAddon(root)).toEqual({ nativeBinding: debug });
  const release = place('build', 'Release');
  expect(sqliteAddon(root)).toEqual({ nativeBinding: release });
});
