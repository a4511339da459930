/**
 * Imported first by main.tsx. The page's CSP has no 'unsafe-eval', so tell
 * zod not to try compiling validators with `new Function` (it would fall
 * back anyway, but only after a CSP violation report per attempt).
 */
import { z } from 'zod';

z.config({ jitless: true });
