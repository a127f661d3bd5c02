//! Reading a JWT's `iat` and `exp` for metrics, without checking its signature.

use base64::Engine as _;

/// The times a token states about itself, seconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct TokenTimes {
    pub(crate) issued_at: Option<i64>,
    pub(crate) expires_at: Option<i64>,
}

/// `iat`/`exp` of a JWT, or `None` when `token` is not a JWT.
pub(crate) fn times(token: &str) -> Option<TokenTimes> {
    #[derive(serde::Deserialize)]
    struct Claims {
        iat: Option<f64>,
        exp: Option<f64>,
    }
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Claims = serde_json::from_slice(&bytes).ok()?;
    // Truncating fractional seconds is intended.
    #[allow(clippy::cast_possible_truncation)]
    let secs = |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| v as i64);
    Some(TokenTimes {
        issued_at: secs(claims.iat),
        expires_at: secs(claims.exp),
    })
}

/// Publishes a token's times as gauges (`kubeset_token_*_timestamp_seconds`).
pub(crate) fn record(token: &str, source: &'static str) {
    let Some(times) = times(token) else {
        return;
    };
    #[allow(clippy::cast_precision_loss)] // Timestamps fit easily in f64's exact range.
    {
        if let Some(iat) = times.issued_at {
            metrics::gauge!("kubeset_token_issued_timestamp_seconds", "source" => source)
                .set(iat as f64);
        }
        if let Some(exp) = times.expires_at {
            metrics::gauge!("kubeset_token_expiry_timestamp_seconds", "source" => source)
                .set(exp as f64);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let enc = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", enc(r#"{"alg":"RS256"}"#), enc(payload))
    }

    #[track_caller]
    fn check(token: &str, expected: Option<TokenTimes>) {
        assert_eq!(times(token), expected, "{token}");
    }

    #[test]
    fn reads_iat_and_exp() {
        check(
            &jwt(r#"{"iat":1700000000,"exp":1700003600,"sub":"x"}"#),
            Some(TokenTimes {
                issued_at: Some(1_700_000_000),
                expires_at: Some(1_700_003_600),
            }),
        );
        check(&jwt(r#"{"sub":"x"}"#), Some(TokenTimes::default()));
        check("not-a-jwt", None);
        check("a.b.c.d", None);
        check(&jwt("[]"), None);
    }
}
