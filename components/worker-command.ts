/**
 * The data-plane commands the worker image runs, each bundled into one JavaScript file at image
 * build time (`npm run build:workers`, scripts/build-workers.ts). A Job runs the bundle with node
 * rather than `npm run`: npm, tsx and loading a few hundred modules one by one cost a restore
 * about 0.6 s of CPU before its first request; the bundle loads in about 0.2 s (README, benchmarks).
 * Not a component itself.
 */
export const WORKER_COMMANDS = ["restore", "backup", "sync", "restore-redis", "backup-redis"] as const;
export type WorkerCommand = (typeof WORKER_COMMANDS)[number];

/** Where the image keeps a command's bundle, relative to its working directory (/app). */
export const workerBundle = (name: WorkerCommand): string => `dist/${name}.js`;

/** A Job container's command: the bundle and its arguments. */
export const workerCommand = (name: WorkerCommand, ...args: string[]): string[] => ["node", workerBundle(name), ...args];
