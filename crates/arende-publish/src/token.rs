//! Feed tokens (prenumerationsnycklar): the capability in a person's calendar URL, for
//! calendar clients that cannot send an `Authorization` header. A token is
//! HMAC-SHA256 over the tenant and the person under the deployment's feed key, in
//! URL-safe base64; see the crate docs for why.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The deployment's secret key for feed tokens (flödesnyckel). Changing it revokes
/// every token issued under it.
#[derive(Clone)]
pub struct FeedKey(Vec<u8>);

impl std::fmt::Debug for FeedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FeedKey(…)")
    }
}

/// A feed key too short to be a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a feed key needs at least 32 bytes, this one has {0}")]
pub struct ShortKey(pub usize);

impl FeedKey {
    /// A key from secret bytes (at least 32).
    pub fn new(secret: impl Into<Vec<u8>>) -> Result<Self, ShortKey> {
        let bytes = secret.into();
        if bytes.len() < 32 {
            return Err(ShortKey(bytes.len()));
        }
        Ok(FeedKey(bytes))
    }

    fn mac(&self, tenant: &str, person: &str) -> HmacSha256 {
        // new_from_slice accepts any key length for HMAC; the fallback is unreachable
        // but keeps this path free of panics.
        let mut mac = HmacSha256::new_from_slice(&self.0)
            .unwrap_or_else(|_| <HmacSha256 as hmac::digest::KeyInit>::new(&Default::default()));
        mac.update(b"arende-feed-v1\n");
        mac.update(tenant.as_bytes());
        mac.update(b"\n");
        mac.update(person.as_bytes());
        mac
    }

    /// The token of a person's calendar in a tenant.
    pub fn token(&self, tenant: &str, person: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(tenant, person).finalize().into_bytes())
    }

    /// Whether `token` opens the calendar of `person` in `tenant` (compared in constant
    /// time).
    pub fn verify(&self, tenant: &str, person: &str, token: &str) -> bool {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(token.trim()) else {
            return false;
        };
        self.mac(tenant, person).verify_slice(&bytes).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_opens_only_its_own_persons_calendar() {
        let key = FeedKey::new([7u8; 32]).expect("32 bytes");
        let t = key.token("orebro", "anna");
        assert!(key.verify("orebro", "anna", &t));
        assert!(!key.verify("orebro", "bertil", &t));
        assert!(!key.verify("uppsala", "anna", &t));
        assert!(!key.verify("orebro", "anna", "not base64 !"));
        let other = FeedKey::new([8u8; 32]).expect("32 bytes");
        assert!(
            !other.verify("orebro", "anna", &t),
            "a new key revokes old tokens"
        );
        assert_eq!(FeedKey::new([1u8; 8]).err(), Some(ShortKey(8)));
    }
}
