//! OAuth2 client credentials: the token endpoint and the bearer check of every API call.
//!
//! Tokens are kept per client in issue order, so memory stays bounded however many are asked
//! for: expired ones are purged whenever that client asks for another, and past
//! [`Limits::max_tokens_per_client`](crate::Limits::max_tokens_per_client) live tokens the
//! oldest one is revoked (its holder gets a 401 and fetches a new one, as after an expiry).

use super::errors::Failure;
use super::random;
use super::served::SCOPE;
use super::Registered;
use axum::http::StatusCode;
use base64::Engine as _;
use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// What an access token looks like: this prefix, then 64 hexadecimal digits (256 random bits).
const TOKEN_PREFIX: &str = "sbx_";

/// Who called, once the bearer token checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Caller {
    pub(crate) client_id: String,
    pub(crate) psp: bool,
    /// The scopes the token was granted, space-separated.
    pub(crate) scope: Arc<str>,
}

impl Caller {
    /// Whether the token was granted `scope`.
    pub(crate) fn has_scope(&self, scope: &str) -> bool {
        self.scope
            .split_whitespace()
            .any(|granted| granted == scope)
    }
}

/// A token as stored: its 256 random bits, without the text around them.
type Key = [u8; 32];

struct Issued {
    /// Index into [`Auth::clients`].
    client: usize,
    scope: Arc<str>,
    expires: Instant,
}

/// A token the endpoint granted.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Grant {
    /// Whose token it is (not part of the answer).
    #[serde(skip)]
    pub(crate) client_id: String,
    pub(crate) access_token: String,
    pub(crate) token_type: &'static str,
    pub(crate) expires_in: u64,
    pub(crate) scope: String,
}

/// Why the token endpoint refused, as an OAuth2 `error` code and a description.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TokenRefusal {
    /// The HTTP status: 401 for client authentication, 400 for the request, 503 for the sandbox.
    pub(crate) status: u16,
    pub(crate) error: &'static str,
    pub(crate) description: Cow<'static, str>,
}

impl TokenRefusal {
    /// The OAuth2 error answer, with the `Basic` challenge.
    pub(crate) fn into_failure(self) -> Failure {
        Failure::OAuth {
            status: StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST),
            error: self.error,
            description: self.description.into_owned(),
            challenge: "Basic realm=\"scalexpert-sandbox\"",
        }
    }
}

const BAD_CLIENT: TokenRefusal = TokenRefusal {
    status: 401,
    error: "invalid_client",
    // Never says whether the id or the secret was wrong.
    description: Cow::Borrowed("client authentication failed"),
};

#[derive(Default)]
struct Tokens {
    live: HashMap<Key, Issued>,
    /// Per client, in issue order (so in expiry order: every token lives as long). May still
    /// name tokens already dropped from `live`; they are skipped when reached.
    issued: Vec<VecDeque<(Key, Instant)>>,
    /// Every scope text granted so far, shared by the tokens that carry it (a handful: each
    /// is a set of the served spec's scopes).
    scopes: Vec<Arc<str>>,
}

pub(crate) struct Auth {
    clients: Vec<Registered>,
    lifetime: Duration,
    max_per_client: usize,
    tokens: Mutex<Tokens>,
}

impl Auth {
    pub(crate) fn new(clients: Vec<Registered>, lifetime: Duration, max_per_client: usize) -> Auth {
        Auth {
            clients,
            lifetime,
            max_per_client: max_per_client.max(1),
            tokens: Mutex::new(Tokens::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Tokens> {
        self.tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The registered client whose id and secret a `Basic` header carries.
    fn client(&self, authorization: Option<&str>) -> Result<(usize, &Registered), TokenRefusal> {
        let (id, secret) = basic_credentials(authorization).ok_or(BAD_CLIENT)?;
        self.clients
            .iter()
            .enumerate()
            .find(|(_, c)| same(&c.client_id, &id) & same(&c.secret, &secret))
            .ok_or(BAD_CLIENT)
    }

    /// Checks the token request's client credentials alone, so that a stranger is refused
    /// before the sandbox reads a body for it.
    pub(crate) fn authenticate(&self, authorization: Option<&str>) -> Result<(), TokenRefusal> {
        self.client(authorization).map(|_| ())
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
        let (index, client) = self.client(authorization)?;
        match field("grant_type") {
            Some("client_credentials") => {}
            None => {
                return Err(TokenRefusal {
                    status: 400,
                    error: "invalid_request",
                    description: Cow::Borrowed("grant_type is required"),
                })
            }
            Some(_) => {
                return Err(TokenRefusal {
                    status: 400,
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
                        status: 400,
                        error: "invalid_scope",
                        description: Cow::Owned(format!(
                            "the scopes granted are {}",
                            SCOPE.as_str()
                        )),
                    });
                }
                // In the served spec's order, each once: a grant names a bounded set.
                SCOPE
                    .split_whitespace()
                    .filter(|s| asked.split_whitespace().any(|a| a == *s))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        };
        let key: Key = random::bytes().map_err(|_| TokenRefusal {
            status: 503,
            error: "temporarily_unavailable",
            description: Cow::Borrowed("no randomness to make a token from"),
        })?;
        let now = Instant::now();
        let expires = now + self.lifetime;
        let mut tokens = self.lock();
        let tokens = &mut *tokens;
        if tokens.issued.len() < self.clients.len() {
            tokens.issued.resize_with(self.clients.len(), VecDeque::new);
        }
        let scope = match tokens.scopes.iter().find(|known| ***known == *scope) {
            Some(known) => Arc::clone(known),
            None => {
                let new: Arc<str> = Arc::from(scope.as_str());
                tokens.scopes.push(Arc::clone(&new));
                new
            }
        };
        if let Some(queue) = tokens.issued.get_mut(index) {
            // Expired first, then the oldest live ones past the cap.
            while let Some(&(old, expiry)) = queue.front() {
                if expiry > now && queue.len() < self.max_per_client {
                    break;
                }
                tokens.live.remove(&old);
                queue.pop_front();
            }
            queue.push_back((key, expires));
        }
        tokens.live.insert(
            key,
            Issued {
                client: index,
                scope: Arc::clone(&scope),
                expires,
            },
        );
        Ok(Grant {
            client_id: client.client_id.clone(),
            access_token: format!("{TOKEN_PREFIX}{}", hex::encode(key)),
            token_type: "Bearer",
            expires_in: self.lifetime.as_secs(),
            scope: scope.to_string(),
        })
    }

    /// The caller behind an `Authorization: Bearer` header, if the token is known and unexpired.
    pub(crate) fn verify(&self, authorization: Option<&str>) -> Option<Caller> {
        let value = authorization?.trim();
        let (scheme, token) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let mut key: Key = [0; 32];
        hex::decode_to_slice(token.trim().strip_prefix(TOKEN_PREFIX)?, &mut key).ok()?;
        let mut tokens = self.lock();
        let issued = tokens.live.get(&key)?;
        if Instant::now() >= issued.expires {
            tokens.live.remove(&key);
            return None;
        }
        let client = self.clients.get(issued.client)?;
        Some(Caller {
            client_id: client.client_id.clone(),
            psp: client.psp,
            scope: Arc::clone(&issued.scope),
        })
    }

    /// Forgets every token, and the memory they took.
    pub(crate) fn expire_all(&self) {
        *self.lock() = Tokens::default();
    }

    /// How many tokens are stored (live or not yet purged).
    #[cfg(test)]
    fn stored(&self) -> usize {
        self.lock().live.len()
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
pub(crate) fn same(a: &str, b: &str) -> bool {
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
        capped(lifetime, 10_000)
    }

    fn capped(lifetime: Duration, max_per_client: usize) -> Auth {
        Auth::new(
            vec![Registered {
                client_id: "id".into(),
                secret: "secret".into(),
                psp: true,
            }],
            lifetime,
            max_per_client,
        )
    }

    fn grant(auth: &Auth) -> String {
        let grant = auth
            .issue(
                Some(&basic("id", "secret")),
                &form(&[("grant_type", "client_credentials")]),
            )
            .expect("granted");
        format!("Bearer {}", grant.access_token)
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
                scope: Arc::from("e-financing:rw"),
            }
        );
        assert!(grant.access_token.starts_with(TOKEN_PREFIX));
        assert_eq!(grant.access_token.len(), TOKEN_PREFIX.len() + 64);
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
        assert_eq!(wrong_secret.status, 401);
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
    fn expired_tokens_are_purged_when_more_are_asked_for() {
        let auth = auth(Duration::ZERO);
        let bearers: Vec<String> = (0..1_000).map(|_| grant(&auth)).collect();
        // Each request purged the expired ones before it: only the newest is left.
        assert_eq!(auth.stored(), 1);
        assert!(auth.verify(bearers.last().map(String::as_str)).is_none());
        assert_eq!(auth.stored(), 0, "an expired token met is dropped too");
    }

    #[test]
    fn past_the_cap_the_oldest_live_tokens_are_revoked() {
        let auth = capped(Duration::from_secs(3600), 3);
        let tokens: Vec<String> = (0..10).map(|_| grant(&auth)).collect();
        assert_eq!(auth.stored(), 3);
        for (i, bearer) in tokens.iter().enumerate() {
            assert_eq!(auth.verify(Some(bearer)).is_some(), i >= 7, "token {i}");
        }
        auth.expire_all();
        assert_eq!(auth.stored(), 0);
    }

    #[test]
    fn scopes_are_granted_once_each() {
        let auth = auth(Duration::from_secs(60));
        let grant = auth
            .issue(
                Some(&basic("id", "secret")),
                &form(&[
                    ("grant_type", "client_credentials"),
                    ("scope", "e-financing:rw  e-financing:rw"),
                ]),
            )
            .expect("granted");
        assert_eq!(grant.scope, "e-financing:rw");
    }

    #[test]
    fn malformed_bearers_are_unknown() {
        let auth = auth(Duration::from_secs(60));
        let bearer = grant(&auth);
        assert!(auth.verify(Some(&bearer)).is_some());
        for bad in ["Bearer sbx_", "Bearer sbx_zz", "Bearer x", "Bearer sbx_é"] {
            assert!(auth.verify(Some(bad)).is_none(), "{bad}");
        }
        let upper = bearer.replace("sbx_", "SBX_");
        assert!(auth.verify(Some(&upper)).is_none());
    }

    #[test]
    fn constant_time_comparison_is_still_a_comparison() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
        assert!(!same("", "a"));
    }
}
