//! One SSH connection being set up: TCP with a timeout, the host key checked against
//! known_hosts (`known_hosts::check`) under the configured `host_key_checking`, then
//! authentication (`auth`). The russh handler never returns "trust" without a
//! verdict that says so; when it refuses, the reason it recorded becomes the error
//! the operator reads (fingerprint, file and line), instead of russh's "unknown key".

use super::hosts::{Host, HostKeyChecking, SshSettings};
use super::known_hosts::{self, Verdict, fingerprint, host_port};
use super::prompt::{Prompter, Question};
use russh::client;
use russh::keys::PublicKeyOrCertificate;
use std::sync::{Arc, Mutex};

/// The russh handler of one connection: checks the host key and remembers why.
pub struct Client {
    host: Host,
    settings: Arc<SshSettings>,
    prompter: Prompter,
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
        let learn = |why: &str| {
            let file = self.settings.learn_file();
            match known_hosts::learn(&file, &h.address, h.port, key) {
                Ok(()) => tracing::info!(
                    "{why}: {kind} key {fp} of {shown} added to {}",
                    file.display()
                ),
                // As ssh does: the key was accepted for this connection; say why it was not kept.
                Err(e) => tracing::warn!("{e}"),
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
                learn("accept-new");
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
                        learn("accepted by the operator");
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

/// The russh settings every connection runs with.
pub fn russh_config(s: &SshSettings) -> Arc<client::Config> {
    Arc::new(client::Config {
        keepalive_interval: Some(s.keepalive_interval),
        keepalive_max: s.keepalive_count,
        nodelay: true,
        ..Default::default()
    })
}

/// Connects, checks the host key and authenticates, or says why not.
pub async fn connect(
    host: &Host,
    settings: &Arc<SshSettings>,
    config: Arc<client::Config>,
    prompter: &Prompter,
    keys: &super::auth::KeyCache,
) -> Result<Session, String> {
    let refusal = Arc::new(Mutex::new(None));
    let handler = Client {
        host: host.clone(),
        settings: settings.clone(),
        prompter: prompter.clone(),
        refusal: refusal.clone(),
    };
    let target = format!("{}:{}", host.address, host.port);
    // The timeout covers TCP and the key exchange, not a host key question the
    // operator is still reading.
    let tcp = tokio::time::timeout(
        settings.connect_timeout,
        tokio::net::TcpStream::connect((host.address.as_str(), host.port)),
    )
    .await
    .map_err(|_| {
        format!(
            "connect to {target} timed out after {}",
            crate::model::format::duration_short(settings.connect_timeout)
        )
    })?
    .map_err(|e| {
        format!(
            "connect to {target}: {}",
            crate::sys::errno::io_sentence(&e)
        )
    })?;
    let _ = tcp.set_nodelay(true);
    let mut session = match client::connect_stream(config, tcp, handler).await {
        Ok(s) => s,
        Err(e) => {
            let why = refusal.lock().ok().and_then(|mut r| r.take());
            return Err(why.unwrap_or_else(|| format!("ssh to {target}: {e}")));
        }
    };
    super::auth::authenticate(&mut session, host, settings, prompter, keys).await?;
    Ok(session)
}
