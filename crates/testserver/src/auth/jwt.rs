//! RS256 JSON Web Tokens, signed and verified with the server's ServiceAccount key.

use std::sync::{Arc, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{self, RsaKeyPair};
use serde_json::{Value, json};

use crate::error::Error;

/// Signs and verifies tokens with one RSA key.
#[derive(Clone)]
pub(crate) struct Signer {
    key: Arc<RsaKeyPair>,
    kid: String,
}

/// The process-wide key: RSA key generation takes seconds in debug builds, so every server of a
/// test process shares one key (tokens still only authenticate where their ServiceAccount UID
/// exists).
static SHARED: OnceLock<Result<Signer, String>> = OnceLock::new();

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Why a token was not accepted (never shown to clients: they get a plain 401).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Rejected {
    /// Not three base64url segments of JSON.
    Malformed,
    /// The signature does not verify.
    BadSignature,
}

impl Signer {
    /// The process-wide signer, generated on first use (blocking).
    pub(crate) fn shared() -> Result<Self, Error> {
        SHARED
            .get_or_init(|| {
                Signer::generate().map_err(|e| {
                    let mut text = e.to_string();
                    if let Some(source) = std::error::Error::source(&e) {
                        text.push_str(&format!(": {source}"));
                    }
                    text
                })
            })
            .clone()
            .map_err(|text| Error::SigningKey {
                source: text.into(),
            })
    }

    /// Generates a 2048-bit RSA key.
    pub(crate) fn generate() -> Result<Self, Error> {
        use rsa::pkcs8::EncodePrivateKey;
        let mut rng = rand::rngs::OsRng;
        let private = rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| Error::SigningKey {
            source: Box::new(e),
        })?;
        let der = private.to_pkcs8_der().map_err(|e| Error::SigningKey {
            source: Box::new(e),
        })?;
        let key = RsaKeyPair::from_pkcs8(der.as_bytes()).map_err(|e| Error::SigningKey {
            source: e.to_string().into(),
        })?;
        let digest = ring::digest::digest(&ring::digest::SHA256, key.public().as_ref());
        let kid = URL_SAFE_NO_PAD.encode(digest.as_ref());
        Ok(Signer {
            key: Arc::new(key),
            kid,
        })
    }

    /// Signs the claims into a compact JWT.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let header = json!({"alg": "RS256", "kid": self.kid});
        let mut out = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut sig = vec![0; self.key.public().modulus_len()];
        let rng = ring::rand::SystemRandom::new();
        // Signing only fails for a wrong buffer size, which modulus_len rules out.
        if self
            .key
            .sign(&signature::RSA_PKCS1_SHA256, &rng, out.as_bytes(), &mut sig)
            .is_ok()
        {
            out.push('.');
            out.push_str(&URL_SAFE_NO_PAD.encode(sig));
        }
        out
    }

    /// Verifies the signature and returns the claims.
    pub(crate) fn verify(&self, token: &str) -> Result<Value, Rejected> {
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Rejected::Malformed);
        };
        let header: Value = decode(h)?;
        if header.get("alg").and_then(Value::as_str) != Some("RS256") {
            return Err(Rejected::Malformed);
        }
        let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| Rejected::Malformed)?;
        let public = signature::UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            self.key.public().as_ref(),
        );
        let signed = &token[..h.len() + 1 + c.len()];
        public
            .verify(signed.as_bytes(), &sig)
            .map_err(|_| Rejected::BadSignature)?;
        decode(c)
    }
}

fn decode(segment: &str) -> Result<Value, Rejected> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| Rejected::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| Rejected::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let s = Signer::shared().unwrap();
        let t = s.sign(&json!({"sub": "x"}));
        assert!(t.starts_with("eyJ"));
        assert_eq!(s.verify(&t).unwrap()["sub"], "x");
        // Flip a character in the middle of the signature: the last base64url character
        // carries padding bits, so changing it may not change the decoded signature at all.
        let sig_mid = t.rfind('.').unwrap() + 1 + (t.len() - t.rfind('.').unwrap()) / 2;
        let mut bad = t.clone().into_bytes();
        bad[sig_mid] = if bad[sig_mid] == b'A' { b'B' } else { b'A' };
        let bad = String::from_utf8(bad).unwrap();
        assert_eq!(s.verify(&bad), Err(Rejected::BadSignature));
        assert_eq!(s.verify("a.b"), Err(Rejected::Malformed));
    }
}
