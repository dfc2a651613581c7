import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, ServiceAccount } from 'kubernetes-models/v1';
import { platformSchema } from '../src/api/crd.js';
import { crdYaml } from '../src/offline.js';
import { SERVICE_NAMES } from '../src/api/types.js';
import { helm } from './helpers/helm.js';

const root = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');
const chart = new URL('charts/flock-operator', root).pathname;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

describe('chart', () => {
  test('when the CRD source changes, then the chart copy must be regenerated (scripts/kube/sync-crd.sh)', () => {
    expect(read('charts/flock-operator/crds/socialplatforms.flock.dev.yaml')).toBe(crdYaml());
  });

  test('when a user runs kubectl explain on any field, then it has a description', () => {
    const undescribed: string[] = [];
    const walk = (node: Any, path: string) => {
      // metadata is ObjectMeta: the apiserver forbids describing it in a CRD.
      if (!node.description && path !== '.metadata') undescribed.push(path || '(root)');
      for (const [k, v] of Object.entries(node.properties ?? {})) walk(v, `${path}.${k}`);
      if (node.items) walk(node.items, `${path}[]`);
      if (typeof node.additionalProperties === 'object')
        walk(node.additionalProperties, `${path}.<name>`);
    };
    walk(platformSchema, '');
    expect(undescribed).toEqual([]);
  });

  test('when linted strictly, then helm finds no problem', () => {
    expect(helm(['lint', '--strict', chart])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  test('when templated, then every object is valid and the operator runs locked down with least privilege', () => {
    const out = helm([
      'template',
      'flock-operator',
      chart,
      '--namespace',
      'flock-system',
      '--include-crds',
    ]);
    const objs = parseAllDocuments(out)
      .map((d) => d.toJS() as Any)
      .filter(Boolean);
    const models: Record<string, new (d: never) => { validate(): void }> = {
      CustomResourceDefinition,
      Deployment,
      ClusterRole,
      ClusterRoleBinding,
      Role,
      RoleBinding,
      ServiceAccount,
    };
    expect(objs.map((o) => o.kind).sort()).toEqual(Object.keys(models).sort());
    for (const o of objs) new models[o.kind]!(o as never).validate();

    const pod = objs.find((o) => o.kind === 'Deployment').spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });

    const rules: Any[] = objs.find((o) => o.kind === 'ClusterRole').rules;
    for (const r of rules) expect(r.verbs).not.toContain('*');
    expect(rules.find((r) => r.resources.includes('secrets')).verbs).toEqual(['get']);
    expect(rules.find((r) => r.resources.includes('socialplatforms')).verbs).toEqual([
      'get',
      'list',
      'watch',
    ]);
    const lease = objs.find((o) => o.kind === 'Role').rules.find((r: Any) => r.resourceNames);
    expect(lease).toMatchObject({ resourceNames: ['flock-operator'], verbs: ['get', 'update'] });
  });
});

/** Metric names a PromQL expression reads (label matchers, ranges, groupings and functions removed). */
function metricsIn(expr: string): string[] {
  const stripped = expr
    .replace(/"[^"]*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  const words = new Set(['sum', 'max', 'min', 'avg', 'count', 'rate', 'irate', 'increase']);
  words.add('histogram_quantile').add('and').add('or').add('unless');
  return [...new Set(stripped.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [])].filter(
    (w) => !words.has(w),
  );
}

/** Every metric name the code registers (`name: '…'` in services and sidecar, prom-client's defaults). */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts'))
        for (const m of readFileSync(path, 'utf8').matchAll(/name: '([a-z][a-z0-9]*_[a-z0-9_]+)'/g))
          names.add(m[1]!);
    }
  };
  for (const s of readdirSync(new URL('services/', root))) {
    const src = new URL(`services/${s}/src`, root).pathname;
    if (existsSync(src)) walk(src);
  }
  walk(new URL('sidecar/src', root).pathname);
  const defaults = new URL('node_modules/prom-client/lib/metrics/', root).pathname;
  for (const file of readdirSync(defaults).filter((f) => f.endsWith('.js')))
    for (const m of readFileSync(join(defaults, file), 'utf8').matchAll(
      /'((?:nodejs|process)_[a-z0-9_]+)'/g,
    ))
      names.add(m[1]!);
  return names;
}

describe('monitoring (dashboard and alert rules in the chart)', () => {
  const exported = exportedMetrics();
  const known = (metric: string) =>
    exported.has(metric) || exported.has(metric.replace(/_(bucket|count|sum)$/, ''));
  const dashboard = JSON.parse(read('charts/flock-operator/dashboards/flock.json')) as Any;
  const panels: Any[] = dashboard.panels.filter((p: Any) => p.type !== 'row');
  const rendered = (...set: string[]) =>
    parseAllDocuments(
      helm([
        'template',
        'flock',
        chart,
        '--namespace',
        'flock-system',
        ...set.flatMap((s) => ['--set', s]),
      ]),
    )
      .map((d) => d.toJS() as Any)
      .filter(Boolean);

  test('metricsIn reads metric names, not labels or functions', () => {
    expect(
      metricsIn(
        'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~"$service"}[$__rate_interval])))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    for (const m of ['http_requests_total', 'events_handled_total', 'timeline_fanout_lag_seconds'])
      expect(exported.has(m)).toBe(true);
    expect(known('no_such_metric_total')).toBe(false);
  });

  test('when the dashboard is parsed, then it is a modern Grafana dashboard whose every panel queries metrics the code exports', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(new Set(dashboard.panels.map((p: Any) => p.id)).size).toBe(dashboard.panels.length);
    const titles = panels.map((p) => p.title);
    for (const t of [
      'Request rate',
      '5xx error ratio',
      'Duration p50',
      'Duration p99',
      'Event outcomes by topic',
      'Timeline fan-out lag',
      'Open SSE streams',
      'CPU',
      'Memory',
    ])
      expect(titles).toContain(t);
    for (const panel of panels) {
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const { expr } of panel.targets) {
        const metrics = metricsIn(expr);
        expect(metrics.length).toBeGreaterThan(0);
        expect({ panel: panel.title, unknown: metrics.filter((m) => !known(m)) }).toEqual({
          panel: panel.title,
          unknown: [],
        });
      }
    }
    const all = panels.flatMap((p) => p.targets.map((t: Any) => t.expr as string)).join('\n');
    for (const m of [
      'open_sse_streams',
      'timeline_fanout_lag_seconds_bucket',
      'process_cpu_seconds_total',
    ])
      expect(all).toContain(m);
  });

  test('when dashboards are enabled, then a ConfigMap labelled for the Grafana sidecar carries the dashboard', () => {
    const map = rendered('monitoring.dashboards.enabled=true').find((o) => o.kind === 'ConfigMap');
    new ConfigMap(map as never).validate();
    expect(map.metadata.labels.grafana_dashboard).toBe('1');
    expect(JSON.parse(map.data['flock.json'])).toEqual(dashboard);
  });

  test('when the PodMonitor is enabled, then it scrapes the service pods the operator labels, app and sidecar', () => {
    const monitor = rendered(
      'monitoring.podMonitor.enabled=true',
      'monitoring.podMonitor.labels.release=kube-prometheus-stack',
    ).find((o) => o.kind === 'PodMonitor');
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.selector.matchExpressions).toContainEqual({
      key: 'flock.dev/service',
      operator: 'Exists',
    });
    expect(monitor.spec.podMetricsEndpoints.map((e: Any) => e.port)).toEqual([
      'http',
      'dapr-metrics',
    ]);
  });

  test('when the PrometheusRule is enabled, then it renders valid rules for 5xx, latency, events, fan-out lag and readiness', () => {
    const kinds = rendered().map((o) => o.kind);
    for (const kind of ['PrometheusRule', 'PodMonitor', 'ConfigMap'])
      expect(kinds).not.toContain(kind);
    expect(
      helm(['lint', '--strict', chart, '--set', 'monitoring.prometheusRule.enabled=true']),
    ).toMatch(/0 chart\(s\) failed/);
    const rule = rendered(
      'monitoring.prometheusRule.enabled=true',
      'monitoring.prometheusRule.labels.release=kube-prometheus-stack',
    ).find((o) => o.kind === 'PrometheusRule');
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata.labels.release).toBe('kube-prometheus-stack');
    const rules: Any[] = rule.spec.groups.flatMap((g: Any) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'FlockEventsDropped',
      'FlockEventsRetrying',
      'FlockFanoutLagHigh',
      'FlockHighErrorRatio',
      'FlockHighLatencyP99',
      'FlockPodsNotReady',
    ]);
    const external = new Set(['kube_deployment_status_replicas_unavailable']); // kube-state-metrics
    for (const r of rules) {
      expect(r.labels.severity).toMatch(/^(warning|critical)$/);
      expect(r.annotations.summary).toContain('{{ $');
      const unknown = metricsIn(r.expr).filter((m) => !known(m) && !external.has(m));
      expect({ alert: r.alert, unknown }).toEqual({ alert: r.alert, unknown: [] });
    }
    const pods = rules.find((r) => r.alert === 'FlockPodsNotReady').expr as string;
    for (const svc of SERVICE_NAMES) expect(pods).toContain(svc);
  });
});

describe('skaffold.yaml', () => {
  const docs = parseAllDocuments(read('skaffold.yaml')).map((d) => d.toJS() as Any);

  test('when validated against the skaffold v4beta13 JSON schema, then it passes', () => {
    const schema = JSON.parse(
      read('operator/test/fixtures/skaffold-v4beta13.schema.json'),
    ) as object;
    // The schema uses its own keywords (preferredOrder, x-intellij-html-description).
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    for (const doc of docs) {
      expect(doc.apiVersion).toBe('skaffold/v4beta13');
      expect(validate(doc) ? [] : validate.errors).toEqual([]);
    }
    expect(
      validate({ apiVersion: 'skaffold/v4beta13', kind: 'Config', build: { artefacts: [] } }),
    ).toBe(false);
  });

  test('when artifacts are listed, then each image is named after its workspace folder and every service has one', () => {
    const artifacts: Any[] = docs.flatMap((d) => d.build?.artifacts ?? []);
    for (const a of artifacts) {
      expect(a.image).toBe(basename(a.docker.buildArgs.SERVICE));
      expect(a.docker.dockerfile).toBe('Dockerfile');
      expect(['operator', ...SERVICE_NAMES.map((s) => `services/${s}`)]).toContain(
        a.docker.buildArgs.SERVICE,
      );
    }
    const present = readdirSync(new URL('services/', root)).filter((s) =>
      (SERVICE_NAMES as readonly string[]).includes(s),
    );
    for (const s of present) expect(artifacts.map((a) => a.image)).toContain(s);
    expect(artifacts.map((a) => a.image)).toContain('operator');
  });

  test('when profiles are listed, then dev and prod exist and each points at a sample that exists', () => {
    const platform = docs.find((d) => d.metadata.name === 'platform');
    expect(platform.profiles.map((p: Any) => p.name)).toEqual(['dev', 'prod']);
    const files = [platform.manifests.rawYaml[0], platform.profiles[1].patches[0].value];
    for (const f of files) expect(existsSync(new URL(f, root))).toBe(true);
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  test('when built, then it is multi-stage on a slim Node LTS, installs production deps, runs node directly as non-root', () => {
    expect(text.match(/^FROM /gm)).toHaveLength(2);
    expect(text).toMatch(/ARG NODE_IMAGE=node:24-bookworm-slim/);
    expect(text).toMatch(/ARG SERVICE/);
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/^USER 1000:1000$/m);
    // Tracing is preloaded (off unless OTEL_EXPORTER_OTLP_ENDPOINT is set): docs/observability.md.
    expect(text).toMatch(
      /^ENTRYPOINT \["node", "--import", "@flock\/kit\/tracing", "dist\/index.js"\]$/m,
    );
  });
  // `tsc -b $SERVICE` compiles the workspace and its project references: that graph, and the
  // workspaces each package depends on, must hold no dev tooling.
  test('when a service image is built, then what it compiles and depends on holds no dev tooling', () => {
    const tooling = ['sidecar', 'runner', 'testing', 'load-tests'];
    const workspaceOf = (pkg: string) =>
      pkg.startsWith('@flock/') ? pkg.slice('@flock/'.length) : undefined;
    const folderOf = (name: string) =>
      existsSync(new URL(`services/${name}/`, root)) ? `services/${name}` : name;
    const reach = (start: string): Set<string> => {
      const seen = new Set<string>();
      const visit = (folder: string) => {
        if (seen.has(folder)) return;
        seen.add(folder);
        const tsconfig = JSON.parse(read(`${folder}/tsconfig.json`)) as {
          references?: { path: string }[];
        };
        for (const ref of tsconfig.references ?? []) visit(join(folder, ref.path));
        // A service's client project (`services/<name>/src/client`) ships in its service's
        // package: what it depends on is that package's dependencies.
        const packageFolder = folder.replace(/\/src\/client$/, '');
        const pkg = JSON.parse(read(`${packageFolder}/package.json`)) as {
          dependencies?: Record<string, string>;
        };
        for (const dep of Object.keys(pkg.dependencies ?? {})) {
          const name = workspaceOf(dep);
          if (name) visit(folderOf(name));
        }
      };
      visit(start);
      return seen;
    };
    for (const service of [...SERVICE_NAMES, 'operator']) {
      const graph = [...reach(folderOf(service))];
      expect({ service, tooling: graph.filter((f) => tooling.includes(f)) }).toEqual({
        service,
        tooling: [],
      });
      expect(graph).toContain(service === 'operator' ? 'operator' : `services/${service}`);
    }
  });
});
