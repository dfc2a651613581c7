/**
 * Dapr's state key prefixing (pkg/components/state/state_config.go): stored key =
 * `<prefix>||<key>`, prefix chosen by the component's `keyPrefix` metadata.
 */
const SEPARATOR = '||';

/** `appid` (default), `name`, `namespace`, `none`, or any other literal prefix. */
export function resolveKeyPrefix(
  setting: string | undefined,
  componentName: string,
  appId: string,
): string {
  switch ((setting ?? 'appid').toLowerCase()) {
    case 'appid':
      return appId;
    case 'name':
      return componentName;
    case 'namespace':
      return process.env.NAMESPACE ? `${process.env.NAMESPACE}.${appId}` : appId;
    case 'none':
      return '';
    default:
      return setting as string;
  }
}

export class MalformedKeyError extends Error {}

export function toStoreKey(prefix: string, key: string): string {
  if (key.includes(SEPARATOR))
    throw new MalformedKeyError(`input key/keyPrefix '${key}' can't contain '${SEPARATOR}'`);
  return prefix === '' ? key : `${prefix}${SEPARATOR}${key}`;
}

/** daprd's GetOriginalStateKey: the part after the first `||` (up to a second one), else the key. */
export function originalStateKey(storedKey: string): string {
  const parts = storedKey.split(SEPARATOR);
  return parts.length <= 1 ? storedKey : (parts[1] as string);
}
