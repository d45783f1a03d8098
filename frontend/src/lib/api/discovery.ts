// SMART discovery: the FHIR server's own document, same origin.
import { getJSON, type Fetch } from './request';

/** The parts of /fhir/.well-known/smart-configuration the Launch view shows. */
export interface SmartConfiguration {
  issuer?: string;
  authorization_endpoint: string;
  token_endpoint: string;
  scopes_supported?: string[];
  capabilities?: string[];
}

export function getSmartConfiguration(signal?: AbortSignal, fetchFn: Fetch = fetch): Promise<SmartConfiguration> {
  return getJSON<SmartConfiguration>('/fhir/.well-known/smart-configuration', fetchFn, signal);
}
