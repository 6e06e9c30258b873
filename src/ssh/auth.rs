//! Authentication, in ssh's order: the agent's keys (`SSH_AUTH_SOCK`), the host's
//! identity files (a passphrase is asked once and the decrypted key kept in memory
//! for the rest of the session), then a password if the server offers it and there
//! is someone to ask. At most `max_auth_tries` attempts, so qd stops before sshd's
//! MaxAuthTries cuts it off; a failure names what was tried and what the server
//! accepts. Nothing secret is ever written anywhere.

use super::client::Session;
use super::hosts::{Host, SshSettings};
use super::prompt::{Prompter, Question};
use russh::client::AuthResult;
use russh::keys::{Algorithm, HashAlg, PrivateKey, PrivateKeyWithHashAlg};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Decrypted identity files of this session, by path.
#[derive(Default)]
pub struct KeyCache {
    keys: Mutex<HashMap<PathBuf, Arc<PrivateKey>>>,
}

impl KeyCache {
    fn get(&self, p: &PathBuf) -> Option<Arc<PrivateKey>> {
        self.keys.lock().ok()?.get(p).cloned()
    }
    fn put(&self, p: PathBuf, k: Arc<PrivateKey>) {
        if let Ok(mut m) = self.keys.lock() {
            m.insert(p, k);
        }
    }
}

struct Attempts {
    left: usize,
    tried: Vec<String>,
    methods: Vec<String>,
}

impl Attempts {
    fn note(&mut self, r: &AuthResult) -> bool {
        self.left = self.left.saturating_sub(1);
        match r {
            AuthResult::Success => true,
            AuthResult::Failure {
                remaining_methods, ..
            } => {
                self.methods = remaining_methods
                    .iter()
                    .map(|m| <&str>::from(m).to_string())
                    .collect();
                false
            }
        }
    }

    fn offers(&self, m: &str) -> bool {
        self.methods.is_empty() || self.methods.iter().any(|x| x == m)
    }
}

async fn load_key(
    path: &PathBuf,
    host: &Host,
    prompter: &Prompter,
    cache: &KeyCache,
) -> Result<Option<Arc<PrivateKey>>, String> {
    if let Some(k) = cache.get(path) {
        return Ok(Some(k));
    }
    if !path.exists() {
        return Ok(None);
    }
    let key = match russh::keys::load_secret_key(path, None) {
        Ok(k) => k,
        Err(russh::keys::Error::KeyIsEncrypted) => {
            let Some(pass) = prompter
                .ask(Question::Secret {
                    host: host.name.clone(),
                    prompt: format!("Enter passphrase for key '{}'", path.display()),
                })
                .await
            else {
                return Ok(None);
            };
            russh::keys::load_secret_key(path, Some(&pass))
                .map_err(|e| format!("cannot decrypt {}: {e}", path.display()))?
        }
        Err(e) => return Err(format!("cannot read identity file {}: {e}", path.display())),
    };
    let key = Arc::new(key);
    cache.put(path.clone(), key.clone());
    Ok(Some(key))
}

/// The hash an RSA key signs with (what the server's `server-sig-algs` names best);
/// `None` for any other key type, without asking the server.
async fn rsa_hash_for(
    session: &Session,
    alg: Algorithm,
    known: &mut Option<Option<HashAlg>>,
) -> Option<HashAlg> {
    if !matches!(alg, Algorithm::Rsa { .. }) {
        return None;
    }
    if known.is_none() {
        let best = session
            .best_supported_rsa_hash()
            .await
            .ok()
            .flatten()
            .flatten();
        *known = Some(best);
    }
    known.flatten()
}

/// Authenticates `session` as `host.user`, or says what was tried.
pub async fn authenticate(
    session: &mut Session,
    host: &Host,
    settings: &SshSettings,
    prompter: &Prompter,
    cache: &KeyCache,
) -> Result<(), String> {
    let user = host.user.clone();
    let mut a = Attempts {
        left: settings.max_auth_tries.max(1),
        tried: Vec::new(),
        methods: Vec::new(),
    };
    // Only an RSA key needs the server's signature algorithms, and asking waits for
    // its EXT_INFO (up to 1 s from a server that sends none): asked on the first one.
    let mut rsa: Option<Option<HashAlg>> = None;
    // Under sudo `SSH_AUTH_SOCK` is the operator's to name, and root may open any
    // socket: root would lend its agent (or another user's) to them. No agent then.
    let agent = if crate::sys::privileged() {
        Err(())
    } else {
        russh::keys::agent::client::AgentClient::connect_env()
            .await
            .map_err(|_| ())
    };
    if let Ok(mut agent) = agent {
        let ids = agent.request_identities().await.unwrap_or_default();
        let mut n = 0;
        for id in ids {
            if a.left == 0 || !a.offers("publickey") {
                break;
            }
            n += 1;
            let key = id.public_key().into_owned();
            let rsa_hash = rsa_hash_for(session, key.algorithm(), &mut rsa).await;
            match session
                .authenticate_publickey_with(&user, key, rsa_hash, &mut agent)
                .await
            {
                Ok(r) if a.note(&r) => return Ok(()),
                Ok(_) => {}
                Err(e) => tracing::debug!("agent key refused to sign: {e}"),
            }
        }
        if n > 0 {
            a.tried
                .push(format!("{n} agent key{}", if n == 1 { "" } else { "s" }));
        }
    }
    for path in &host.identities {
        if a.left == 0 || !a.offers("publickey") {
            break;
        }
        let Some(key) = load_key(path, host, prompter, cache).await? else {
            continue;
        };
        a.tried.push(path.display().to_string());
        let rsa_hash = rsa_hash_for(session, key.algorithm(), &mut rsa).await;
        let r = session
            .authenticate_publickey(&user, PrivateKeyWithHashAlg::new(key, rsa_hash))
            .await
            .map_err(|e| format!("ssh to {}: {e}", host.name))?;
        if a.note(&r) {
            return Ok(());
        }
    }
    while a.left > 0 && a.offers("password") && prompter.can_ask() {
        let Some(pw) = prompter
            .ask(Question::Secret {
                host: host.name.clone(),
                prompt: format!("{}@{}'s password", user, host.address),
            })
            .await
        else {
            break;
        };
        a.tried.push("password".into());
        let r = session
            .authenticate_password(&user, pw)
            .await
            .map_err(|e| format!("ssh to {}: {e}", host.name))?;
        if a.note(&r) {
            return Ok(());
        }
    }
    let accepts = if a.methods.is_empty() {
        "unknown".to_string()
    } else {
        a.methods.join(",")
    };
    let tried = if a.tried.is_empty() {
        "no key (no agent, no identity file found)".to_string()
    } else {
        a.tried.join(", ")
    };
    Err(format!(
        "permission denied for {user}@{}: tried {tried}; the server accepts: {accepts}",
        host.name
    ))
}
