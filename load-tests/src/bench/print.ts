/** How the benchmarks print: one line at a time, stamped with seconds since the run began. */
const started = Date.now();

export const out = (line: string) => process.stdout.write(`${line}\n`);
export const clock = () => `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`;
export const minutesSinceStart = () => (Date.now() - started) / 60_000;
export const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
export const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
