import type { Config } from '../../config';
import { createKeycloakIdentityProvider } from './keycloak';
import type { IdentityProvider } from './types';

/** The identity provider holding IB users' logins; none with IDENTITY_PROVIDER=core-banking. */
export function identityProviderFromConfig(config: Config): { identityProvider?: IdentityProvider } {
  if (config.IDENTITY_PROVIDER !== 'keycloak') return {};
  if (!config.KEYCLOAK_URL || !config.KEYCLOAK_ADMIN_CLIENT_SECRET)
    throw new Error(
      'IDENTITY_PROVIDER=keycloak needs KEYCLOAK_URL and KEYCLOAK_ADMIN_CLIENT_SECRET (worker)',
    );
  return {
    identityProvider: createKeycloakIdentityProvider({
      baseUrl: config.KEYCLOAK_URL,
      realm: config.KEYCLOAK_REALM,
      clientId: config.KEYCLOAK_ADMIN_CLIENT_ID,
      clientSecret: config.KEYCLOAK_ADMIN_CLIENT_SECRET,
      timeoutMs: config.KEYCLOAK_TIMEOUT_MS,
    }),
  };
}
