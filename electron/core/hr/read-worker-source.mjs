// Run from source (tests, benchmarks): the reader thread loads its TypeScript through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./read-worker.ts');
