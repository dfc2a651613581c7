import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

/** One `metadata` entry of a Component spec, before secrets and env references are resolved. */
export interface MetadataItem {
  name: string;
  value?: string;
  secretKeyRef?: { name: string; key?: string };
  envRef?: string;
}

/** A Dapr `Component` resource as read from YAML (apiVersion dapr.io/v1alpha1). */
export interface ComponentDefinition {
  name: string;
  type: string;
  version: string;
  metadata: MetadataItem[];
  /** `auth.secretStore`: where `secretKeyRef` values are looked up. */
  secretStore?: string;
  /** Only these app-ids load the component; empty = every app. */
  scopes: string[];
  /** The file it came from, named in every startup error about it. */
  file: string;
}

/** The `*.yaml`/`*.yml` files of a resources folder with their text, sorted by name (as daprd). */
async function yamlFiles(dir: string): Promise<Array<{ file: string; text: string }>> {
  const names = (await readdir(dir)).filter((f) => /\.ya?ml$/i.test(f)).sort();
  return Promise.all(
    names.map(async (name) => {
      const file = join(dir, name);
      return { file, text: await readFile(file, 'utf8') };
    }),
  );
}

/**
 * The `kind: Component` documents of a resources folder (multi-document files allowed). Other
 * kinds are read by their own loaders (`loadResiliency`, `loadSubscriptions`) or skipped.
 */
export async function loadComponents(dir: string): Promise<ComponentDefinition[]> {
  return (await yamlFiles(dir)).flatMap(({ file, text }) => parseComponents(text, file));
}

export interface ResourceDocument {
  resource: Record<string, unknown>;
  file: string;
  /** Its place in the file: 0 for the first document. */
  index: number;
}

/** Every YAML document of a resources folder, in file order (daprd reads files sorted by name). */
export async function resourceDocuments(dir: string): Promise<ResourceDocument[]> {
  const out: ResourceDocument[] = [];
  for (const { file, text } of await yamlFiles(dir)) {
    parseAllDocuments(text).forEach((doc, index) => {
      const resource: unknown = doc.toJS();
      if (isRecord(resource)) out.push({ resource, file, index });
    });
  }
  return out;
}

export function parseComponents(text: string, file: string): ComponentDefinition[] {
  const out: ComponentDefinition[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${file}: invalid YAML: ${doc.errors[0]?.message}`);
    const res: unknown = doc.toJS();
    if (!isRecord(res) || res.kind !== 'Component') continue;
    const name = isRecord(res.metadata) ? res.metadata.name : undefined;
    if (typeof name !== 'string' || name === '')
      throw new Error(`${file}: Component without metadata.name`);
    const where = `${file} component "${name}"`;
    if (typeof res.apiVersion !== 'string' || !res.apiVersion.startsWith('dapr.io/')) {
      throw new Error(
        `${where}: apiVersion must be dapr.io/v1alpha1, got ${String(res.apiVersion)}`,
      );
    }
    const spec = isRecord(res.spec) ? res.spec : {};
    if (typeof spec.type !== 'string' || spec.type === '')
      throw new Error(`${where}: missing spec.type`);
    const auth = isRecord(res.auth) ? res.auth : {};
    const secretStore = auth.secretStore ?? auth.secretstore;
    out.push({
      name,
      type: spec.type,
      version: spec.version === undefined ? 'v1' : scalar(spec.version),
      metadata: (Array.isArray(spec.metadata) ? spec.metadata : []).map((m: unknown) =>
        metadataItem(m, where),
      ),
      ...(typeof secretStore === 'string' ? { secretStore } : {}),
      scopes: Array.isArray(res.scopes) ? res.scopes.map(String) : [],
      file,
    });
  }
  return out;
}

function metadataItem(m: unknown, where: string): MetadataItem {
  if (!isRecord(m) || typeof m.name !== 'string')
    throw new Error(`${where}: metadata entry without a name`);
  const item: MetadataItem = { name: m.name };
  if (m.value !== undefined && m.value !== null) item.value = scalar(m.value);
  if (isRecord(m.secretKeyRef)) {
    const ref = m.secretKeyRef;
    if (typeof ref.name !== 'string')
      throw new Error(`${where}: metadata "${m.name}" secretKeyRef needs a name`);
    item.secretKeyRef = {
      name: ref.name,
      ...(typeof ref.key === 'string' ? { key: ref.key } : {}),
    };
  }
  if (typeof m.envRef === 'string') item.envRef = m.envRef;
  return item;
}

/**
 * Dapr's DynamicValue.String(): strings as they are, any other value as its JSON text
 * (`1`, `true`, `{"a":1}`), so YAML numbers and booleans work like quoted ones.
 */
function scalar(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A metadata field's plain value (names match case-insensitively, as in daprd); not a reference. */
export const plainValue = (component: ComponentDefinition, name: string): string | undefined =>
  component.metadata.find((m) => m.name.toLowerCase() === name.toLowerCase())?.value;

/** A Component YAML document, as tests, benchmarks and the runner write them for either runtime. */
export function componentYaml(
  name: string,
  type: string,
  metadata: Record<string, string> = {},
  version = 'v1',
): string {
  return stringify({
    apiVersion: 'dapr.io/v1alpha1',
    kind: 'Component',
    metadata: { name },
    spec: {
      type,
      version,
      metadata: Object.entries(metadata).map(([key, value]) => ({ name: key, value })),
    },
  });
}
