//! OS facts read on demand: accounts and groups (`account`, `users`), single /proc
//! files (`procfile`) and errno turned into sentences (`errno`). Plain lookups with no
//! state of their own, used by the collectors, the actions and the SSH layer alike.

pub mod account;
pub mod errno;
pub mod ownfile;
pub mod procfile;
pub mod sitefile;
pub mod users;

/// The invoking user as the tool that gave qd root names them: `SUDO_USER` (sudo,
/// and run0), `DOAS_USER` (doas), `PKEXEC_UID` (pkexec). Only meaningful when the
/// real uid is 0: nobody else can make qd run as root with these set. Root itself is
/// not an invoking user.
pub fn invoking_user() -> Option<String> {
    let named = |v: &str| std::env::var(v).ok().filter(|s| !s.is_empty());
    named("SUDO_USER")
        .or_else(|| named("DOAS_USER"))
        .or_else(|| {
            let uid: u32 = named("PKEXEC_UID")?.parse().ok()?;
            account::Account::by_uid(uid).map(|a| a.name)
        })
        .filter(|s| s != "root")
}

fn sudo_user() -> Option<String> {
    invoking_user()
}

/// Privileged mode: qd runs with euid 0 for an operator who is not root (`sudo qd`,
/// or a setuid copy). Then everything that can make root act must come from trusted
/// files, and nothing the operator's environment names (HOME, XDG dirs) may grant or
/// run anything. Root running qd as itself is not privileged mode: it is root's call.
pub fn privileged() -> bool {
    let euid = rustix::process::geteuid();
    let uid = rustix::process::getuid();
    euid.is_root() && (!uid.is_root() || sudo_user().is_some())
}

/// The operator's account in privileged mode: the real user of a setuid qd, else the
/// one sudo named. `None` outside privileged mode or when the name is unknown.
pub fn operator_account() -> Option<account::Account> {
    if !privileged() {
        return None;
    }
    let uid = rustix::process::getuid();
    if !uid.is_root() {
        return account::Account::by_uid(uid.as_raw());
    }
    account::Account::by_name(&sudo_user()?)
}
