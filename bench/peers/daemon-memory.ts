/**
 * Loaded with `--import` into the benchmarks' same-stack servers (the ceilings and the same-document route): keeps
 * their young generation where the daemon keeps its own, and their old generation's growth as short, with the
 * daemon's own code (young-generation.ts, old-generation.ts). The
 * daemon caps it for the RSS goal, and the cap costs CPU: a smaller young generation is scavenged more often. A
 * ceiling with V8's default would grow it to 12–32 MB under the same load, which a server within the RSS goal cannot
 * keep, so a bound run that way would claim room no such server has. A node flag of the target's own
 * (`in-memory:--max-semi-space-size=16` in bench/paired.ts) wins, as it does for the daemon.
 */
import { capAsTheDaemonDoes } from '../../daemon/src/young-generation.js';

capAsTheDaemonDoes();
