import { writeFileSync } from 'node:fs';
import { APIS } from './api/registry.js';
import { renderErrorsDoc } from './errors-doc.js';

// Regenerates docs/errors.md: `npm run docs`.
const target = new URL('../../docs/errors.md', import.meta.url);
writeFileSync(target, renderErrorsDoc(APIS));
process.stdout.write(`wrote ${target.pathname}\n`);
