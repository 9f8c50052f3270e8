// Entry of a rebuild ranking thread: a worker thread does not inherit the process's TypeScript
// loader, so it registers tsx's before importing the thread's module.
import { register } from 'tsx/esm/api';

register();
await import('./rank-thread.ts');
