/** The top frames by self time of a V8 `.cpuprofile` (what `node --cpu-prof` writes). */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface Frame {
  name: string;
  /** Share of all samples, 0..1. */
  selfShare: number;
  selfMs: number;
}

/** Self time per function (nodes merged by name + location), largest first. */
export function topFrames(profile: CpuProfile, count = 10): Frame[] {
  const hits = new Map<number, number>();
  if (profile.samples) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const n of profile.nodes) hits.set(n.id, n.hitCount ?? 0);
  const total = [...hits.values()].reduce((a, b) => a + b, 0) || 1;
  const msPerSample = (profile.endTime - profile.startTime) / 1000 / total;
  const byFrame = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shorten(url)}:${lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    byFrame.set(name, (byFrame.get(name) ?? 0) + (hits.get(node.id) ?? 0));
  }
  return [...byFrame.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, n]) => ({ name, selfShare: n / total, selfMs: n * msPerSample }));
}

/** node_modules/pkg/… or the repository-relative path, without the file:// prefix. */
function shorten(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) return path.slice(modules + 'node_modules/'.length);
  const services = path.indexOf('/services/');
  if (services >= 0) return path.slice(services + 1);
  const sidecar = path.indexOf('/sidecar/');
  return sidecar >= 0 ? path.slice(sidecar + 1) : path;
}
