/**
 * With --cpu-prof: the DSB mix at the knee (the highest rate that met the p99 target, else 25/s)
 * while every app's sampling profiler runs (SIGUSR2 on, SIGUSR2 off), then the top frames by
 * self time of the two apps that burned the most CPU in that window.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { topFrames, type CpuProfile } from './cpuprofile.js';
import { drive } from './driver-process.js';
import { maxRateWithin, type Ladder } from './ladder.js';
import type { MixUser } from './mix.js';
import { clock, f1, out } from './print.js';
import { cpuByPid } from './proc.js';

export interface ProfileWindow {
  gatewayUrl: string;
  /** Where the preloaded profiler writes `<app>.<pid>.cpuprofile`. */
  dir: string;
  users: MixUser[];
  flockLadder: Ladder;
  appPids: ReadonlyMap<number, string>;
  durationMs: number;
}

export async function profilePhase(w: ProfileWindow): Promise<Record<string, unknown>> {
  const knee = maxRateWithin(w.flockLadder);
  const rate = Number.isFinite(knee) ? knee : 25;
  out(
    `${clock()} CPU profile: every app profiled for ${w.durationMs / 1000} s of the mix at ${rate}/s`,
  );
  const pids = [...w.appPids.keys()];
  const before = cpuByPid(pids);
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  await drive({
    baseUrl: w.gatewayUrl,
    rate,
    durationMs: w.durationMs,
    users: w.users,
    target: 'flock',
    seed: 7,
  });
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  const after = cpuByPid(pids);
  await sleep(3000);
  const ranked = pids
    .map((pid) => ({ pid, app: w.appPids.get(pid)!, cpu: after.get(pid)! - before.get(pid)! }))
    .sort((a, b) => b.cpu - a.cpu);
  out(
    `  CPU seconds by app in the window: ${ranked.map((r) => `${r.app} ${f1(r.cpu)}`).join(', ')}`,
  );
  const files = await readdir(w.dir);
  const profiles: Record<string, unknown> = {};
  for (const { pid, app, cpu } of ranked.slice(0, 2)) {
    const file = files.find((f) => f === `${app}.${pid}.cpuprofile`);
    if (!file) {
      out(`  no profile from ${app}`);
      continue;
    }
    const profile = JSON.parse(await readFile(path.join(w.dir, file), 'utf8')) as CpuProfile;
    const frames = topFrames(profile, 15);
    profiles[app] = { cpuSeconds: cpu, file: path.join(w.dir, file), frames };
    out(`  top frames by self time, ${app} (${path.join(w.dir, file)}):`);
    for (const fr of frames) {
      out(
        `    ${(fr.selfShare * 100).toFixed(1).padStart(5)}%  ${f1(fr.selfMs).padStart(8)} ms  ${fr.name}`,
      );
    }
  }
  return { rate, durationMs: w.durationMs, cpuByApp: ranked, profiles };
}
