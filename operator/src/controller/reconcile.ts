/**
 * One level-based, idempotent pass over a SocialPlatform, as named steps:
 * load → check the spec → observe children → check Secrets → render desired → apply what
 * differs and can work → delete leftovers → write status → say when to come back.
 * A problem holds back only the objects it concerns; each is reported with its own reason.
 * Everything is read from the apiserver; the event that queued the key is never trusted.
 */
import type { Logger } from '@flock/kit';
import type { Clock } from '../runtime/clock.js';
import type { KubeClient } from '../runtime/client.js';
import { describeError, isNotFound, isTransient, sentence } from '../runtime/errors.js';
import { DEGRADED, findCondition } from './conditions.js';
import { contains } from './diff.js';
import type { EventRecorder } from '../runtime/events.js';
import { specProblems } from '../api/validation.js';
import { REASONS, type Problem } from './problems.js';
import { handOverReplicas } from './replicas.js';
import { requiredSecretKeys } from '../render/backends.js';
import { OWNED_KINDS, renderPlatform } from '../render/index.js';
import { secretsReferenced } from '../render/references.js';
import { platformSelector } from '../render/meta.js';
import { computeStatus } from './status.js';
import { API_VERSION, KIND, type KubeObject, type SocialPlatform } from '../api/types.js';

export interface ReconcileDeps {
  client: KubeClient;
  clock: Clock;
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
  const specIssues = specProblems(platform).map((message) => ({
    reason: REASONS.specInvalid,
    message: sentence(message),
  }));
  const { live, missingKinds } = await observeChildren(platform, deps);
  if (specIssues.length > 0) {
    // The spec itself says something the operator must not render (e.g. state on Redis).
    await writeStatus(platform, specIssues, live, deps);
    return { requeueAfterMs: DEGRADED_RETRY_MS };
  }
  const secrets = await checkSecrets(platform, deps);
  const problems: Problem[] = [...secrets.problems, ...missingKinds];
  // Hold back only what cannot work yet; everything else is still applied and repaired.
  const desired = renderPlatform(platform);
  const applicable = desired.filter(
    (o) =>
      !missingKinds.some((m) => m.kind === o.kind) &&
      ![...secretsReferenced(o)].some((s) => secrets.missing.has(s)),
  );
  const failures = await applyChanged(platform, applicable, live, deps);
  problems.push(...failures.map(({ problem }) => problem));
  await deleteLeftovers(platform, desired, live, deps);
  await writeStatus(platform, problems, live, deps);
  // An overloaded or unreachable apiserver is retried with backoff; a refusal waits for a fix.
  const transient = failures.find((f) => isTransient(f.err));
  if (transient) throw transient.err;
  return { requeueAfterMs: problems.length > 0 ? DEGRADED_RETRY_MS : RESYNC_MS };
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
): Promise<{ problems: Problem[]; missing: Set<string> }> {
  const problems: Problem[] = [];
  const missing = new Set<string>();
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
    const lacking = need.keys.filter((k) => secret?.data?.[k] === undefined);
    if (lacking.length === 0) continue;
    missing.add(need.secret);
    problems.push({
      reason: REASONS.secretMissing,
      message: secret
        ? `Secret "${need.secret}" (for the ${need.for}) lacks keys ${lacking.join(', ')}; add them.`
        : `Secret "${need.secret}" (for the ${need.for}) not found; create it with keys ${need.keys.join(', ')}.`,
    });
  }
  return { problems, missing };
}

/** Step 3: every child the platform has now, by kind/name; kinds the cluster lacks are problems. */
async function observeChildren(
  platform: SocialPlatform,
  { client }: ReconcileDeps,
): Promise<{ live: Map<string, KubeObject>; missingKinds: (Problem & { kind: string })[] }> {
  const selector = Object.entries(platformSelector(platform))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const live = new Map<string, KubeObject>();
  const missingKinds: (Problem & { kind: string })[] = [];
  for (const { apiVersion, kind } of OWNED_KINDS) {
    try {
      for (const obj of await client.list(apiVersion, kind, platform.metadata.namespace!, selector))
        live.set(childKey(obj), obj);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      missingKinds.push({
        kind,
        reason: REASONS.kindNotServed,
        message: `The cluster does not serve ${kind} (${apiVersion}); install it (Dapr kinds come with Dapr).`,
      });
    }
  }
  return { live, missingKinds };
}

/**
 * Step 5: server-side apply each desired object the live one does not already match. A refused
 * object is reported and the rest still applied: one bad Deployment must not leave the
 * NetworkPolicies or the Ingress unrepaired.
 */
async function applyChanged(
  platform: SocialPlatform,
  desired: KubeObject[],
  live: Map<string, KubeObject>,
  deps: ReconcileDeps,
): Promise<{ problem: Problem; err: unknown }[]> {
  const { client, events, log } = deps;
  const changed: string[] = [];
  const failures: { problem: Problem; err: unknown }[] = [];
  for (const obj of desired) {
    const current = live.get(childKey(obj));
    if (current && contains(current, obj)) continue;
    try {
      await handOverReplicas(platform, obj, current, client);
      // force: the operator is the authority for every field it renders; others keep the rest.
      live.set(childKey(obj), await client.apply(obj, true));
    } catch (err) {
      log.warn({ err, platform: platform.metadata.name, object: childKey(obj) }, 'Child refused');
      failures.push({
        err,
        problem: {
          reason: REASONS.applyFailed,
          message: sentence(`${childKey(obj)} could not be applied: ${describeError(err)}`),
        },
      });
      continue;
    }
    changed.push(childKey(obj));
    log.info(
      { platform: platform.metadata.name, object: childKey(obj), created: !current },
      'Child applied',
    );
  }
  if (changed.length > 0)
    await events.record(platform, 'Normal', 'Applied', `Applied ${changed.join(', ')}`);
  return failures;
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
  problems: Problem[],
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
