//! One SSH connection being set up: TCP, banner, key exchange with the host key
//! checked against known_hosts (`known_hosts::check`) under the configured
//! `host_key_checking`, then authentication (`auth`), all within one
//! `connect_timeout` (`deadline`). The host key algorithms are offered with the types
//! already known for the host first, as OpenSSH does. The russh handler never returns
//! "trust" without a verdict that says so; when it refuses, the reason it recorded
//! becomes the error the operator reads (fingerprint, file and line), instead of
//! russh's "unknown key". A key to learn goes to the pool's recorder (`learn`).

use super::deadline::{Clock, Phase, Watched};
use super::hosts::{Host, HostKeyChecking, SshSettings};
use super::known_hosts::{self, Verdict, fingerprint, host_port};
use super::learn::{KeyRecorder, LearnHow, LearnRequest, entry_line};
use super::prompt::{Prompter, Question};
use russh::client;
use russh::keys::PublicKeyOrCertificate;
use std::sync::{Arc, Mutex};

/// The russh handler of one connection: checks the host key and remembers why.
pub struct Client {
    host: Host,
    settings: Arc<SshSettings>,
    prompter: Prompter,
    recorder: Option<KeyRecorder>,
    refusal: Arc<Mutex<Option<String>>>,
}

impl Client {
    fn refuse(&self, why: String) -> bool {
        if let Ok(mut r) = self.refusal.lock() {
            *r = Some(why);
        }
        false
    }

    async fn decide(&self, key: &russh::keys::PublicKey) -> bool {
        let files = self.settings.known_hosts_files();
        let h = &self.host;
        let shown = host_port(&h.address, h.port);
        let fp = fingerprint(key);
        let kind = key.algorithm().to_string();
        let verdict = match known_hosts::check(&files, &h.address, h.port, key) {
            Ok(v) => v,
            Err(e) => return self.refuse(e),
        };
        // As ssh does when it cannot write: the key is accepted for this connection
        // whether or not it could be kept; a warning says why it was not.
        let learn = |how: LearnHow| {
            let file = self.settings.learn_file();
            let line = match entry_line(&h.address, h.port, key) {
                Ok(l) => l,
                Err(e) => return tracing::warn!("{shown}: {e}"),
            };
            let req = LearnRequest {
                host: h.clone(),
                file: file.clone(),
                line,
                key_type: kind.clone(),
                fingerprint: fp.clone(),
                how,
            };
            match &self.recorder {
                Some(record) => match record(&req) {
                    Ok(()) => tracing::info!(
                        "{how:?}: {kind} key {fp} of {shown} added to {}",
                        file.display()
                    ),
                    Err(e) => tracing::warn!(
                        "{kind} key {fp} of {shown} accepted for this connection only: {e}"
                    ),
                },
                None => tracing::warn!(
                    "{kind} key {fp} of {shown} accepted for this connection only: \
                     nothing records learned host keys here"
                ),
            }
        };
        match (verdict, self.settings.host_key_checking) {
            (Verdict::Known(_), _) => true,
            (Verdict::Revoked(p), _) => {
                self.refuse(format!("the {kind} host key of {shown} ({fp}) is marked as revoked at {p}: refused"))
            }
            (Verdict::Changed { expected }, _) => self.refuse(format!(
                "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for {shown}: the {kind} key it offers is {fp}, \
                 but a different {kind} key is known at {expected}. Someone could be eavesdropping (a man in the \
                 middle), or the host key was just changed. If you know it was, remove line {} of {} \
                 (ssh-keygen -R '{shown}'); qd refuses to connect.",
                expected.line,
                expected.file.display()
            )),
            (Verdict::OtherType { known, known_type }, mode) if mode != HostKeyChecking::Ask => {
                self.refuse(format!(
                    "{shown} offers a {kind} key ({fp}), but only a {known_type} key is known for it ({known}); \
                     refused ({}): check the host's keys before adding this one",
                    mode_name(mode)
                ))
            }
            (Verdict::Unknown, HostKeyChecking::Strict) => self.refuse(format!(
                "no host key is known for {shown} ({kind} {fp}) and host_key_checking is strict: \
                 add the key to a known_hosts file first (after checking the fingerprint)"
            )),
            (Verdict::Unknown, HostKeyChecking::AcceptNew) => {
                learn(LearnHow::AcceptNew);
                true
            }
            (v, _) => {
                let warn = match &v {
                    Verdict::OtherType { known, known_type } => format!(
                        "\nA {known_type} key is already known for this host ({known}); this is a new key type."
                    ),
                    _ => String::new(),
                };
                let text = format!(
                    "The authenticity of host '{}' ({shown}) can't be established.\n{kind} key fingerprint is {fp}.{warn}",
                    h.name
                );
                if !self.prompter.can_ask() {
                    return self.refuse(format!(
                        "the host key of {shown} is not known ({kind} {fp}) and there is no terminal to ask: \
                         use host_key_checking = \"accept-new\", or add the key to known_hosts"
                    ));
                }
                match self
                    .prompter
                    .ask(Question::HostKey {
                        host: h.name.clone(),
                        text,
                    })
                    .await
                {
                    Some(a) if a == "yes" => {
                        learn(LearnHow::TypedYes);
                        true
                    }
                    _ => self.refuse(format!("host key of {shown} ({fp}) not accepted")),
                }
            }
        }
    }
}

fn mode_name(m: HostKeyChecking) -> &'static str {
    match m {
        HostKeyChecking::Strict => "strict",
        HostKeyChecking::AcceptNew => "accept-new",
        HostKeyChecking::Ask => "ask",
    }
}

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        // Host certificates are not accepted: only their plain key is checked.
        Ok(self.decide(&key.public_key()).await)
    }
}

/// A connected, authenticated session.
pub type Session = client::Handle<Client>;

/// The russh settings a connection to a host runs with: host key algorithms of the
/// types `known` for it first, then the rest in russh's order.
pub fn russh_config(s: &SshSettings, known: &[russh::keys::Algorithm]) -> Arc<client::Config> {
    use russh::keys::Algorithm;
    let mut config = client::Config {
        keepalive_interval: Some(s.keepalive_interval),
        keepalive_max: s.keepalive_count,
        nodelay: true,
        ..Default::default()
    };
    // A known `ssh-rsa` key is offered by every RSA signature algorithm.
    let same = |a: &Algorithm, k: &Algorithm| match (a, k) {
        (Algorithm::Rsa { .. }, Algorithm::Rsa { .. }) => true,
        _ => a == k,
    };
    let (mut first, rest): (Vec<Algorithm>, Vec<Algorithm>) = config
        .preferred
        .key
        .iter()
        .cloned()
        .partition(|a| known.iter().any(|k| same(a, k)));
    if !first.is_empty() {
        first.extend(rest);
        config.preferred.key = std::borrow::Cow::Owned(first);
    }
    Arc::new(config)
}

/// Connects, checks the host key and authenticates within `connect_timeout`, or
/// says why not (a timeout names the phase it was stuck in).
pub async fn connect(
    host: &Host,
    settings: &Arc<SshSettings>,
    prompter: &Prompter,
    keys: &super::auth::KeyCache,
    recorder: Option<KeyRecorder>,
    permits: Arc<tokio::sync::Semaphore>,
) -> Result<Session, String> {
    let clock = Arc::new(Clock::new(settings.connect_timeout));
    let target = format!("{}:{}", host.address, host.port);
    let prompter = prompter.pausing(clock.clone());
    clock
        .bound(
            &format!("ssh to {target}"),
            establish(host, settings, &prompter, keys, recorder, &clock, permits),
        )
        .await
}

async fn establish(
    host: &Host,
    settings: &Arc<SshSettings>,
    prompter: &Prompter,
    keys: &super::auth::KeyCache,
    recorder: Option<KeyRecorder>,
    clock: &Arc<Clock>,
    permits: Arc<tokio::sync::Semaphore>,
) -> Result<Session, String> {
    let refusal = Arc::new(Mutex::new(None));
    let handler = Client {
        host: host.clone(),
        settings: settings.clone(),
        prompter: prompter.clone(),
        recorder,
        refusal: refusal.clone(),
    };
    let target = format!("{}:{}", host.address, host.port);
    // An unreadable file is reported by the host key check itself.
    let known =
        known_hosts::known_algorithms(&settings.known_hosts_files(), &host.address, host.port)
            .unwrap_or_default();
    let config = russh_config(settings, &known);
    let tcp = tokio::net::TcpStream::connect((host.address.as_str(), host.port))
        .await
        .map_err(|e| {
            format!(
                "connect to {target}: {}",
                crate::sys::errno::io_sentence(&e)
            )
        })?;
    let _ = tcp.set_nodelay(true);
    clock.set_phase(Phase::Banner);
    let (stream, abandon) = Watched::new(tcp, clock.clone(), permits);
    let mut session = match client::connect_stream(config, stream, handler).await {
        Ok(s) => s,
        Err(e) => {
            let why = refusal.lock().ok().and_then(|mut r| r.take());
            return Err(why.unwrap_or_else(|| format!("ssh to {target}: {e}")));
        }
    };
    clock.set_phase(Phase::Auth);
    super::auth::authenticate(&mut session, host, settings, prompter, keys).await?;
    abandon.keep();
    Ok(session)
}
