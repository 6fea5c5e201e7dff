/**
 * Imported first by every extension entry point: zod validates without generating code (no eval under the
 * extension CSP; extension/scripts/no-eval.ts removes the code generation from the bundle altogether).
 */
import * as z from 'zod';

z.config({ jitless: true });
