/**
 * Loaded into every app with NODE_OPTIONS=--import=… when `npm run bench -- --cpu-prof` runs
 * (Node 20 refuses `--cpu-prof` itself in NODE_OPTIONS). SIGUSR2 starts V8's sampling profiler;
 * the next SIGUSR2 stops it and writes `<CPU_PROF_DIR>/<APP_ID>.<pid>.cpuprofile` — so the
 * profile covers exactly the load phase the benchmark chooses, not start-up or seeding.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';

const dir = process.env.CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.enable', () =>
        session.post('Profiler.setSamplingInterval', { interval: 1000 }, () =>
          session.post('Profiler.start'),
        ),
      );
      return;
    }
    running = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      const file = path.join(dir, `${process.env.APP_ID ?? 'app'}.${process.pid}.cpuprofile`);
      writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
