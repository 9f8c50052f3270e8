// Entry of one policy's simulation thread (bench/evaluate.ts): a worker thread does not inherit the
// process's TypeScript loader, so it registers tsx's before importing the module.
import { register } from 'tsx/esm/api';

register();
await import('./evaluate-policy.ts');
