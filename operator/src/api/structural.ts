/**
 * A Kubernetes structural schema from zod's JSON Schema (draft 2020-12), for a CRD's
 * openAPIV3Schema. The apiserver accepts only a subset of JSON Schema, so what zod adds for its
 * own validation goes; `description`, defaults, `x-kubernetes-*` (set with `.meta()`) and the
 * rest stay. Keys come out in one fixed order, so the chart's YAML reads the same every time.
 */
type Node = Record<string, unknown>;

/** zod gives every z.int() these bounds; the apiserver's int64 needs none. */
const SAFE_INTEGER_BOUNDS: Record<string, number> = {
  minimum: Number.MIN_SAFE_INTEGER,
  maximum: Number.MAX_SAFE_INTEGER,
};

const ORDER = [
  'type',
  'description',
  'required',
  'default',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-validations',
  'properties',
  'items',
  'additionalProperties',
];
const rank = (key: string) => (ORDER.includes(key) ? ORDER.indexOf(key) : ORDER.length);

export function structural(node: Node): Node {
  const out: Node = {};
  const keys = Object.keys(node).sort((a, b) => rank(a) - rank(b));
  for (const key of keys) {
    const value = node[key];
    if (key === '$schema') continue;
    // Structural schemas forbid additionalProperties beside properties; unknown fields are
    // pruned by the apiserver anyway. Map keys (z.record's propertyNames) are not checked.
    if (key === 'additionalProperties' && value === false) continue;
    if (key === 'propertyNames') continue;
    if (SAFE_INTEGER_BOUNDS[key] === value) continue;
    // zod's regex for a format the apiserver checks itself (date-time).
    if (key === 'pattern' && node.format !== undefined) continue;
    if (key === 'properties') {
      const props = Object.entries(value as Record<string, Node>);
      if (props.length === 0) continue;
      out.properties = Object.fromEntries(props.map(([k, v]) => [k, structural(v)]));
    } else if ((key === 'items' || key === 'additionalProperties') && typeof value === 'object')
      out[key] = structural(value as Node);
    else out[key] = value;
  }
  return out;
}
