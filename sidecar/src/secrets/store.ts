/**
 * The contract every secret store implements. A new store (e.g. Kubernetes, Vault) is one file
 * exporting a `SecretStoreFactory` plus one line in `components/registry.ts`.
 */
export interface SecretStore {
  /** The secret's key/value map; throws SecretNotFoundError when the store has no such secret. */
  get(name: string): Promise<Record<string, string>>;
  /** Every secret: name → key/value map. */
  bulkGet(): Promise<Record<string, Record<string, string>>>;
}

export class SecretNotFoundError extends Error {}
