// Entry of the live index's loader thread: a worker thread does not inherit the process's TypeScript
// loader, so it registers tsx's before importing the loader module.
import { register } from 'tsx/esm/api';

register();
await import('./live-index-load.ts');
