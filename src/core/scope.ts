// Which members the sync may write at all. The same normalisation serves the configuration and the
// checks, so an upper-case or `@`-prefixed domain in the file means what it says.
import { normalizeEmail } from './identity.js';
import type { Member, RoleId, SkipReason } from './plan.js';

/**
 * The sync's scope inside the GrowthBook organization: which members it may write and what global
 * role it pins. It is the same for every managed project.
 */
export interface Scope {
  globalRole: RoleId;
  /** Lower-cased domains; empty means every domain is in scope. */
  emailDomains: string[];
  /** Lower-cased, trimmed e-mails never written. */
  protectedEmails: string[];
}

export const normalizeDomain = (domain: string) => domain.trim().toLowerCase().replace(/^@/, '');

/** The scope as configured, normalised once. */
export function scopeOf(settings: Scope): Scope {
  return {
    globalRole: settings.globalRole,
    emailDomains: settings.emailDomains.map(normalizeDomain),
    protectedEmails: settings.protectedEmails.map(normalizeEmail),
  };
}

export function isInEmailScope(email: string, scope: Scope): boolean {
  if (scope.emailDomains.length === 0) return true;
  const domain = normalizeEmail(email).split('@').pop() ?? '';
  return scope.emailDomains.some((d) => normalizeDomain(d) === domain);
}

export function isProtected(email: string, scope: Scope): boolean {
  const key = normalizeEmail(email);
  return scope.protectedEmails.some((p) => normalizeEmail(p) === key);
}

/** Members the sync never writes, whatever the sources say. */
export function scopeSkipOf(member: Member, scope: Scope): SkipReason | null {
  if (isProtected(member.email, scope)) return 'protected-email';
  if (!isInEmailScope(member.email, scope)) return 'outside-email-domains';
  if (member.managedbyIdp) return 'managed-by-idp';
  if (member.globalRole === 'admin') return 'global-admin';
  return null;
}
