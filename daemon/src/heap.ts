import { setFlagsFromString } from 'node:v8';

/**
 * Stops V8 from growing the young generation past the size start-up left it at (two 4 MB semi-spaces). Under a
 * steady load V8 otherwise grows each semi-space to 16 MB and keeps them, which took the daemon's memory from
 * about 90 MB to over 120 MB (bench/README.md, "Soak"). `node --max-semi-space-size=2` caps it too, but any
 * V8 flag on node's command line makes V8 reject the code cache Node ships for its own modules, which cost every
 * start 30–40 ms; a flag set here, after the daemon has loaded and listens, costs nothing. V8 reads this one each
 * time it would grow the space, so setting it at run time takes effect. Called only by `mandate daemon`.
 */
export function capYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
