/** ApplicationFailure types raised by activities that workflows branch on. Shared, I/O-free. */
export const FailureType = {
  credentialsInvalid: 'CredentialsInvalid',
  /** The integration has no stored private key (deleted, or never saved). */
  credentialsMissing: 'CredentialsMissing',
  /** The stored private key cannot be decrypted with the engine's keys: retrying cannot help. */
  secretUnavailable: 'SecretUnavailable',
  integrationNotFound: 'IntegrationNotFound',
  /** The integration moved to another ConnectWise tenant since the run was prepared. */
  tenantChanged: 'BillingTenantChanged',
  /** The engine's database did not answer (down, unreachable, too slow): worth waiting for. */
  databaseUnavailable: 'DatabaseUnavailable',
  connectWise: (kind: string) => `ConnectWise.${kind}`,
} as const;

/** The ConnectWise error kind of a `ConnectWise.<kind>` failure type, if it is one. */
export const connectWiseKindOf = (type: string | undefined): string | undefined =>
  type?.startsWith('ConnectWise.') ? type.slice('ConnectWise.'.length) : undefined;
