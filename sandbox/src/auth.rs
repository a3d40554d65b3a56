//! OAuth2 client credentials: the token endpoint and the bearer check of every API call.

use super::served::SCOPE;
use super::Registered;
use base64::Engine as _;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Who called, once the bearer token checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Caller {
    pub(crate) client_id: String,
    pub(crate) psp: bool,
    /// The scopes the token was granted, space-separated.
    pub(crate) scope: String,
}

impl Caller {
    /// Whether the token was granted `scope`.
    pub(crate) fn has_scope(&self, scope: &str) -> bool {
        self.scope
            .split_whitespace()
            .any(|granted| granted == scope)
    }
}

struct Issued {
    caller: Caller,
    expires: Instant,
}

/// A token the endpoint granted.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Grant {
    pub(crate) access_token: String,
    pub(crate) token_type: &'static str,
    pub(crate) expires_in: u64,
    pub(crate) scope: String,
}

/// Why the token endpoint refused, as an OAuth2 `error` code and a description.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TokenRefusal {
    pub(crate) unauthorized: bool,
    pub(crate) error: &'static str,
    pub(crate) description: Cow<'static, str>,
}

const BAD_CLIENT: TokenRefusal = TokenRefusal {
    unauthorized: true,
    error: "invalid_client",
    // Never says whether the id or the secret was wrong.
    description: Cow::Borrowed("client authentication failed"),
};

pub(crate) struct Auth {
    clients: Vec<Registered>,
    lifetime: Duration,
    tokens: Mutex<HashMap<String, Issued>>,
}

impl Auth {
    pub(crate) fn new(clients: Vec<Registered>, lifetime: Duration) -> Auth {
        Auth {
            clients,
            lifetime,
            tokens: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Issued>> {
        self.tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The token endpoint: `authorization` is the request's header, `form` its decoded body.
    pub(crate) fn issue(
        &self,
        authorization: Option<&str>,
        form: &[(String, String)],
    ) -> Result<Grant, TokenRefusal> {
        let field = |name: &str| {
            form.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let (id, secret) = basic_credentials(authorization).ok_or(BAD_CLIENT)?;
        let client = self
            .clients
            .iter()
            .find(|c| same(&c.client_id, &id) & same(&c.secret, &secret))
            .ok_or(BAD_CLIENT)?;
        match field("grant_type") {
            Some("client_credentials") => {}
            None => {
                return Err(TokenRefusal {
                    unauthorized: false,
                    error: "invalid_request",
                    description: Cow::Borrowed("grant_type is required"),
                })
            }
            Some(_) => {
                return Err(TokenRefusal {
                    unauthorized: false,
                    error: "unsupported_grant_type",
                    description: Cow::Borrowed("only client_credentials is supported"),
                })
            }
        }
        let scope = match field("scope").map(str::trim).filter(|s| !s.is_empty()) {
            // The served specs' scopes, space-separated: all a token may carry.
            None => SCOPE.to_string(),
            Some(asked) => {
                let granted = |wanted: &str| SCOPE.split_whitespace().any(|s| s == wanted);
                if !asked.split_whitespace().all(granted) {
                    return Err(TokenRefusal {
                        unauthorized: false,
                        error: "invalid_scope",
                        description: Cow::Owned(format!(
                            "the scopes granted are {}",
                            SCOPE.as_str()
                        )),
                    });
                }
                asked.split_whitespace().collect::<Vec<_>>().join(" ")
            }
        };
        let token = format!("sbx_{:032x}", fastrand::u128(..));
        self.lock().insert(
            token.clone(),
            Issued {
                caller: Caller {
                    client_id: client.client_id.clone(),
                    psp: client.psp,
                    scope: scope.clone(),
                },
                expires: Instant::now() + self.lifetime,
            },
        );
        Ok(Grant {
            access_token: token,
            token_type: "Bearer",
            expires_in: self.lifetime.as_secs(),
            scope,
        })
    }

    /// The caller behind an `Authorization: Bearer` header, if the token is known and unexpired.
    pub(crate) fn verify(&self, authorization: Option<&str>) -> Option<Caller> {
        let value = authorization?.trim();
        let (scheme, token) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let mut tokens = self.lock();
        let issued = tokens.get(token.trim())?;
        if Instant::now() >= issued.expires {
            tokens.remove(token.trim());
            return None;
        }
        Some(issued.caller.clone())
    }

    /// Forgets every token.
    pub(crate) fn expire_all(&self) {
        self.lock().clear();
    }
}

/// The id and secret of a `Basic` header.
fn basic_credentials(authorization: Option<&str>) -> Option<(String, String)> {
    let (scheme, encoded) = authorization?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// Compares without stopping at the first difference, so timing tells nothing of the secret.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut difference = a.len() ^ b.len();
    for (i, byte) in a.iter().enumerate() {
        difference |= usize::from(byte ^ b.get(i).copied().unwrap_or(0));
    }
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(lifetime: Duration) -> Auth {
        Auth::new(
            vec![Registered {
                client_id: "id".into(),
                secret: "secret".into(),
                psp: true,
            }],
            lifetime,
        )
    }

    fn basic(id: &str, secret: &str) -> String {
        let raw = format!("{id}:{secret}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn issues_and_verifies() {
        let auth = auth(Duration::from_secs(60));
        let grant = auth
            .issue(
                Some(&basic("id", "secret")),
                &form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "e-financing:rw"),
                ]),
            )
            .expect("granted");
        assert_eq!((grant.expires_in, grant.token_type), (60, "Bearer"));
        let caller = auth
            .verify(Some(&format!("Bearer {}", grant.access_token)))
            .expect("valid");
        assert_eq!(
            caller,
            Caller {
                client_id: "id".into(),
                psp: true,
                scope: "e-financing:rw".into(),
            }
        );
        assert!(auth.verify(Some("Bearer nope")).is_none());
        assert!(auth.verify(Some(&grant.access_token)).is_none());
        auth.expire_all();
        assert!(auth
            .verify(Some(&format!("Bearer {}", grant.access_token)))
            .is_none());
    }

    #[test]
    fn tokens_carry_the_scopes_asked_for_or_every_served_one() {
        let auth = auth(Duration::from_secs(60));
        let caller = |scope: Option<&str>| {
            let mut pairs = vec![("grant_type", "client_credentials")];
            pairs.extend(scope.map(|scope| ("scope", scope)));
            let grant = auth
                .issue(Some(&basic("id", "secret")), &form(&pairs))
                .expect("granted");
            auth.verify(Some(&format!("Bearer {}", grant.access_token)))
                .expect("valid")
        };
        let insurance = caller(Some("insurance:rw"));
        assert!(insurance.has_scope("insurance:rw"));
        assert!(!insurance.has_scope("e-financing:rw"));
        let everything = caller(None);
        assert!(everything.has_scope("insurance:rw") && everything.has_scope("e-financing:rw"));
    }

    #[test]
    fn a_zero_lifetime_token_is_already_expired() {
        let auth = auth(Duration::ZERO);
        let grant = auth
            .issue(
                Some(&basic("id", "secret")),
                &form(&[("grant_type", "client_credentials")]),
            )
            .expect("granted");
        assert!(auth
            .verify(Some(&format!("Bearer {}", grant.access_token)))
            .is_none());
    }

    #[test]
    fn refusals_do_not_tell_which_part_was_wrong() {
        let auth = auth(Duration::from_secs(60));
        let ok_form = form(&[("grant_type", "client_credentials")]);
        let wrong_secret = auth
            .issue(Some(&basic("id", "nope")), &ok_form)
            .unwrap_err();
        let wrong_id = auth
            .issue(Some(&basic("nope", "secret")), &ok_form)
            .unwrap_err();
        assert_eq!(wrong_secret, wrong_id);
        assert!(wrong_secret.unauthorized);
        assert_eq!(auth.issue(None, &ok_form).unwrap_err(), BAD_CLIENT);
        let scope = auth
            .issue(
                Some(&basic("id", "secret")),
                &form(&[("grant_type", "client_credentials"), ("scope", "admin")]),
            )
            .unwrap_err();
        assert_eq!(scope.error, "invalid_scope");
        let grant = auth
            .issue(
                Some(&basic("id", "secret")),
                &form(&[("grant_type", "password")]),
            )
            .unwrap_err();
        assert_eq!(grant.error, "unsupported_grant_type");
    }

    #[test]
    fn constant_time_comparison_is_still_a_comparison() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
        assert!(!same("", "a"));
    }
}
