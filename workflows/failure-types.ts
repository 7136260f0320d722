/** ApplicationFailure types raised by activities that workflows branch on. Shared, I/O-free. */
export const FailureType = {
  credentialsInvalid: 'CredentialsInvalid',
  integrationNotFound: 'IntegrationNotFound',
  connectWise: (kind: string) => `ConnectWise.${kind}`,
} as const;
