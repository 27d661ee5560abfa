//! Every rule code, once: the one source of truth. Rules take their `RuleMeta::code` from
//! here, and connectors name the rules a coverage gap affects through these constants, so a
//! misspelt code is a compile error. Manifests' `rules_affected` are checked against [`ALL`]
//! when they are parsed.

macro_rules! codes {
    ($($name:ident = $code:literal,)*) => {
        $(
            #[doc = concat!("`", $code, "`")]
            pub const $name: &str = $code;
        )*
        /// Every code, in catalogue order.
        pub const ALL: &[&str] = &[$($name),*];
    };
}

codes! {
    OWNER_MISSING = "owner-missing",
    OWNER_DEPARTED = "owner-departed",
    PURPOSE_MISSING = "purpose-missing",
    EXPIRY_MISSING = "expiry-missing",
    IDENTITY_EXPIRED = "identity-expired",
    CREDENTIAL_UNROTATED = "credential-unrotated",
    CREDENTIAL_UNUSED = "credential-unused",
    CREDENTIAL_NEVER_USED = "credential-never-used",
    CREDENTIAL_NO_EXPIRY = "credential-no-expiry",
    CREDENTIAL_LIFETIME_EXCESSIVE = "credential-lifetime-excessive",
    CREDENTIAL_EXPIRING = "credential-expiring",
    CREDENTIAL_EXPIRED = "credential-expired",
    MULTIPLE_ACTIVE_KEYS = "multiple-active-keys",
    ROOT_ACCESS_KEY = "root-access-key",
    ADMIN_PRIVILEGE = "admin-privilege",
    PRIVILEGE_ESCALATION = "privilege-escalation",
    WILDCARD_PERMISSION = "wildcard-permission",
    DEPLOY_KEY_WRITE = "deploy-key-write",
    TOKEN_BROAD_SCOPE = "token-broad-scope",
    OAUTH_SCOPE_SENSITIVE = "oauth-scope-sensitive",
    CONSENT_TENANT_WIDE = "consent-tenant-wide",
    TRUST_ANY_PRINCIPAL = "trust-any-principal",
    OIDC_TRUST_UNBOUNDED = "oidc-trust-unbounded",
    CROSS_ACCOUNT_TRUST_UNKNOWN = "cross-account-trust-unknown",
    CONFUSED_DEPUTY = "confused-deputy",
    WEBHOOK_NO_SECRET = "webhook-no-secret",
    WEBHOOK_INSECURE_SSL = "webhook-insecure-ssl",
    AI_AGENT_UNGOVERNED = "ai-agent-ungoverned",
    AI_AGENT_OVERPRIVILEGED = "ai-agent-overprivileged",
    HUMAN_USE_OF_NHI = "human-use-of-nhi",
    WEAK_CREDENTIAL_TYPE = "weak-credential-type",
    SHADOW_AI = "shadow-ai",
    SECRET_LEAKED = "secret-leaked",
    SECRET_LEAKED_LIVE = "secret-leaked-live",
    CREDENTIAL_REUSED = "credential-reused",
    UNKNOWN_ACTOR = "unknown-actor",
    CREDENTIAL_USED_OFF_WORKLOAD = "credential-used-off-workload",
    HUMAN_ACTIVITY_ON_NHI = "human-activity-on-nhi",
    ACCESS_DENIED_BURST = "access-denied-burst",
    OIDC_SUBJECT_UNEXPECTED = "oidc-subject-unexpected",
    ACTIVITY_AFTER_EXPIRY = "activity-after-expiry",
    PRIVILEGE_UNUSED = "privilege-unused",
    LEAKED_CREDENTIAL_USED = "leaked-credential-used",
    SUPPRESSION_EXPIRED = "suppression-expired",
}

/// Whether `code` names a rule.
pub fn known(code: &str) -> bool {
    ALL.contains(&code)
}
