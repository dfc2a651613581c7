/**
 * One level-based, idempotent pass over a SocialPlatform, as named steps:
 * load → check the spec → observe children → render desired → apply what differs →
 * delete leftovers → write status → say when to come back.
 * Everything is read from the apiserver; the event that queued the key is never trusted.
 */
import type { Logger } from '@flock/kit';
import { ApiException } from '@kubernetes/client-node';
import type { Clock } from './clock.js';
import type { KubeClient } from './client.js';
import { isNotFound } from './client.js';
import { DEGRADED, findCondition } from './conditions.js';
import { contains } from './diff.js';
import type { EventRecorder } from './events.js';
import { specProblems } from './platform.js';
import { requiredSecretKeys } from './render/backends.js';
import { ownedKinds, renderPlatform } from './render/index.js';
import { platformSelector, type ApiCaps } from './render/meta.js';
import { computeStatus } from './status.js';
import { API_VERSION, KIND, type KubeObject, type SocialPlatform } from './types.js';

export interface ReconcileDeps {
  client: KubeClient;
  clock: Clock;
  caps: ApiCaps;
  events: EventRecorder;
  log: Logger;
}

/** What the caller should do next; errors are thrown and retried with backoff. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

/** Even when nothing happens, look again now and then (a missed watch event heals here). */
export const RESYNC_MS = 5 * 60_000;
/** An unsatisfiable spec is usually fixed outside the platform (a Secret appears): poll for it. */
export const DEGRADED_RETRY_MS = 30_000;

const childKey = (o: { kind: string; metadata: { name: string } }): string =>
  `${o.kind}/${o.metadata.name}`;

export async function reconcile(key: string, deps: ReconcileDeps): Promise<ReconcileResult> {
  const platform = await loadPlatform(key, deps);
  if (!platform) return {};
  const problems = [...specProblems(platform), ...(await checkSecrets(platform, deps))];
  const { live, missingKinds } = await observeChildren(platform, deps);
  problems.push(...missingKinds);
  if (problems.length > 0) {
    await writeStatus(platform, problems, live, deps);
    return { requeueAfterMs: DEGRADED_RETRY_MS };
  }
  const desired = renderPlatform(platform, deps.caps);
  try {
    await applyChanged(platform, desired, live, deps);
  } catch (err) {
    await writeStatus(platform, [`applying children failed: ${describe(err)}`], live, deps);
    throw err;
  }
  await deleteLeftovers(platform, desired, live, deps);
  await writeStatus(platform, [], live, deps);
  return { requeueAfterMs: RESYNC_MS };
}

/** Step 1: the platform as stored now; gone or being deleted means the garbage collector takes over. */
async function loadPlatform(
  key: string,
  { client }: ReconcileDeps,
): Promise<SocialPlatform | undefined> {
  const [namespace, name] = key.split('/') as [string, string];
  const platform = await client.get<SocialPlatform>({
    apiVersion: API_VERSION,
    kind: KIND,
    namespace,
    name,
  });
  if (!platform || (platform.metadata as { deletionTimestamp?: string }).deletionTimestamp)
    return undefined;
  return platform;
}

/** Step 2: the referenced Secrets exist and hold the keys their backend type needs. */
async function checkSecrets(
  platform: SocialPlatform,
  { client }: ReconcileDeps,
): Promise<string[]> {
  const problems: string[] = [];
  type Secret = KubeObject & { data?: Record<string, string> };
  const secrets = new Map<string, Promise<Secret | undefined>>(); // one GET per Secret, however often referenced
  for (const need of requiredSecretKeys(platform.spec)) {
    const ref = {
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: platform.metadata.namespace,
      name: need.secret,
    };
    if (!secrets.has(need.secret)) secrets.set(need.secret, client.get<Secret>(ref));
    const secret = await secrets.get(need.secret);
    if (!secret) {
      problems.push(
        `Secret "${need.secret}" (for the ${need.for}) not found; create it with keys ${need.keys.join(', ')}`,
      );
      continue;
    }
    const missing = need.keys.filter((k) => secret.data?.[k] === undefined);
    if (missing.length > 0) {
      problems.push(
        `Secret "${need.secret}" (for the ${need.for}) lacks keys ${missing.join(', ')}; add them`,
      );
    }
  }
  return problems;
}

/** Step 3: every child the platform has now, by kind/name; kinds the cluster lacks are problems. */
async function observeChildren(
  platform: SocialPlatform,
  { client, caps }: ReconcileDeps,
): Promise<{ live: Map<string, KubeObject>; missingKinds: string[] }> {
  const selector = Object.entries(platformSelector(platform))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const live = new Map<string, KubeObject>();
  const missingKinds: string[] = [];
  for (const { apiVersion, kind } of ownedKinds(caps)) {
    try {
      for (const obj of await client.list(apiVersion, kind, platform.metadata.namespace!, selector))
        live.set(childKey(obj), obj);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      missingKinds.push(
        `the cluster does not serve ${kind} (${apiVersion}); install it (Dapr kinds come with Dapr)`,
      );
    }
  }
  return { live, missingKinds };
}

/** Step 5: server-side apply each desired object the live one does not already match. */
async function applyChanged(
  platform: SocialPlatform,
  desired: KubeObject[],
  live: Map<string, KubeObject>,
  { client, events, log }: ReconcileDeps,
): Promise<void> {
  const changed: string[] = [];
  for (const obj of desired) {
    const current = live.get(childKey(obj));
    if (current && contains(current, obj)) continue;
    // force: the operator is the authority for every field it renders; others keep the rest.
    live.set(childKey(obj), await client.apply(obj, true));
    changed.push(childKey(obj));
    log.info(
      { platform: platform.metadata.name, object: childKey(obj), created: !current },
      'Child applied',
    );
  }
  if (changed.length > 0)
    await events.record(platform, 'Normal', 'Applied', `Applied ${changed.join(', ')}`);
}

/** Step 6: children this platform controls that are no longer desired (e.g. a removed service). */
async function deleteLeftovers(
  platform: SocialPlatform,
  desired: KubeObject[],
  live: Map<string, KubeObject>,
  { client, events, log }: ReconcileDeps,
): Promise<void> {
  const wanted = new Set(desired.map(childKey));
  const deleted: string[] = [];
  for (const [key, obj] of live) {
    const owned = obj.metadata.ownerReferences?.some(
      (r) => r.controller && r.uid === platform.metadata.uid,
    );
    if (wanted.has(key) || !owned) continue;
    await client.delete({
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      namespace: obj.metadata.namespace,
      name: obj.metadata.name,
    });
    live.delete(key);
    deleted.push(key);
    log.info({ platform: platform.metadata.name, object: key }, 'Child deleted');
  }
  if (deleted.length > 0)
    await events.record(platform, 'Normal', 'Deleted', `Deleted ${deleted.join(', ')}`);
}

/** Step 7: status through /status, only when it changed; a new Degraded state is also an event. */
async function writeStatus(
  platform: SocialPlatform,
  problems: string[],
  live: Map<string, KubeObject>,
  { client, clock, events }: ReconcileDeps,
): Promise<void> {
  const deployments = new Map(
    [...live.values()]
      .filter((o) => o.kind === 'Deployment')
      .map((o) => [o.metadata.name, o] as const),
  );
  const status = computeStatus(platform, problems, deployments, clock.now());
  const old = platform.status ?? {};
  // Compared as data: the apiserver may return keys in another order than they were sent.
  if (contains(old, status) && contains(status, old)) return;
  // A merge patch merges maps: services that went away must be nulled explicitly.
  const gone = Object.keys(old.services ?? {}).filter((s) => !(s in (status.services ?? {})));
  const patch = {
    ...status,
    services: { ...status.services, ...Object.fromEntries(gone.map((s) => [s, null])) },
  };
  try {
    await client.patchStatus(platform.metadata.namespace!, platform.metadata.name, patch);
  } catch (err) {
    if (isNotFound(err)) return; // deleted meanwhile: nothing left to report on
    throw err;
  }
  const before = findCondition(old.conditions, DEGRADED);
  const after = findCondition(status.conditions, DEGRADED)!;
  if (after.status === 'True' && (before?.status !== 'True' || before.message !== after.message)) {
    await events.record(platform, 'Warning', after.reason, after.message);
  }
}

function describe(err: unknown): string {
  if (err instanceof ApiException) {
    const body = err.body as { message?: string } | string;
    return `HTTP ${err.code}: ${typeof body === 'string' ? body : (body?.message ?? '')}`;
  }
  return err instanceof Error ? err.message : String(err);
}
