//! systemd over D-Bus (zbus): one connection per bus, the unit list and the service
//! properties the services table shows. No `systemctl` is run.
//!
//! What is read in bulk (the unit list, every unit's properties) goes to the manager's
//! private socket where qd may use it (`direct`), as systemctl does; actions, jobs and
//! anything else take the bus.
//!
//! zbus has no blocking API; callers run these on a tokio runtime (the CLI builds a
//! current-thread one). Every call has a timeout, so a hung manager reports an error
//! instead of freezing qd.

pub mod direct;
pub mod jobs;
pub mod props;
pub mod transient;
pub mod units;
mod wire;

use std::sync::OnceLock;
use std::time::Duration;
use zbus::Connection;

/// `[systemd] bus_address` from the trusted config, set once at start.
static USER_BUS_ADDRESS: OnceLock<Option<String>> = OnceLock::new();

/// Records `[systemd] bus_address` (trusted config only) for every later
/// [`Systemd::connect`] to the user bus. The first call wins; later ones are ignored,
/// so nothing after start can redirect the bus.
pub fn set_user_bus_address(address: Option<String>) {
    let _ = USER_BUS_ADDRESS.set(address);
}

/// `[systemd] direct` from the trusted config (default true), set once at start.
static DIRECT: OnceLock<bool> = OnceLock::new();

/// Records `[systemd] direct`: whether bulk reads may use the manager's private
/// socket. The first call wins.
pub fn set_direct(allowed: bool) {
    let _ = DIRECT.set(allowed);
}

fn direct_allowed() -> bool {
    DIRECT.get().copied().unwrap_or(true)
}

/// The address root connects the user bus to in privileged mode: the configured one,
/// else root's own runtime dir. Never `DBUS_SESSION_BUS_ADDRESS`: under `sudo -E` the
/// operator names it, and root would send site secrets (env files in transient units)
/// to a manager they run. `None` outside privileged mode: the environment's session
/// bus, as for any D-Bus client.
pub fn privileged_user_bus_address() -> Option<String> {
    if !crate::sys::privileged() {
        return None;
    }
    Some(match USER_BUS_ADDRESS.get().cloned().flatten() {
        Some(a) => a,
        None => format!(
            "unix:path=/run/user/{}/bus",
            rustix::process::geteuid().as_raw()
        ),
    })
}

/// Which systemd instance to talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bus {
    /// The system manager (PID 1), on the system bus.
    #[default]
    System,
    /// The user's manager (`systemd --user`), on the session bus.
    User,
}

pub(crate) const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Systemd {
    conn: Connection,
    pub bus: Bus,
    /// Connected to the manager's private socket, not through the bus daemon.
    pub direct: bool,
}

/// A D-Bus error as a sentence an operator can act on.
pub fn explain(e: &zbus::Error, bus: Bus) -> String {
    let text = e.to_string();
    let what = match bus {
        Bus::System => "the system bus",
        Bus::User => "the user bus",
    };
    let what = match (bus, privileged_user_bus_address()) {
        (Bus::User, Some(a)) => format!("{what} at {a} ([systemd] bus_address)"),
        (Bus::User, None) => format!("{what} (DBUS_SESSION_BUS_ADDRESS)"),
        (Bus::System, _) => what.to_string(),
    };
    if text.contains("AccessDenied") || text.contains("InteractiveAuthorizationRequired") {
        format!(
            "systemd refused: {text} (polkit: run qd as root, or as a user allowed to manage units)"
        )
    } else if text.contains("NoSuchUnit") {
        format!("no such unit: {text}")
    } else if matches!(e, zbus::Error::InputOutput(_) | zbus::Error::Address(_))
        || text.contains("failed to connect")
    {
        let hint = match bus {
            Bus::System => "is systemd running? --user-bus talks to your user manager",
            Bus::User => "is `systemd --user` running for this user?",
        };
        format!("cannot reach systemd on {what}: {text} ({hint})")
    } else {
        format!("systemd on {what}: {text}")
    }
}

impl Systemd {
    pub async fn connect(bus: Bus) -> Result<Self, String> {
        let builder = match bus {
            Bus::System => zbus::connection::Builder::system(),
            Bus::User => match privileged_user_bus_address() {
                Some(a) => zbus::connection::Builder::address(a.as_str()),
                None => zbus::connection::Builder::session(),
            },
        };
        let conn = tokio::time::timeout(TIMEOUT, builder.method_timeout(TIMEOUT).build())
            .await
            .map_err(|_| "systemd's bus did not answer within 10 s".to_string())?
            .map_err(|e| explain(&e, bus))?;
        Ok(Self {
            conn,
            bus,
            direct: false,
        })
    }

    /// A connection for reading units in bulk: the manager's private socket when qd
    /// may use it and it answers as the manager (`direct`), else the bus. Calls and
    /// the manager's signals only: a proxy's signal stream needs the bus (it asks the
    /// bus daemon who owns the name), so jobs are followed on [`Systemd::connect`].
    pub async fn connect_for_reading(bus: Bus) -> Result<Self, String> {
        if let Some(path) = direct::private_socket(bus) {
            match direct::connect(&path, bus).await {
                Ok(conn) => {
                    return Ok(Self {
                        conn,
                        bus,
                        direct: true,
                    });
                }
                Err(e) => tracing::debug!(
                    "systemd: {} not used ({e}); reading through the bus",
                    path.display()
                ),
            }
        }
        Self::connect(bus).await
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The Properties interface of a unit object, uncached: each read asks systemd.
    pub async fn properties(
        &self,
        path: zbus::OwnedObjectPath,
    ) -> zbus::Result<zbus::fdo::PropertiesProxy<'static>> {
        zbus::fdo::PropertiesProxy::builder(&self.conn)
            .destination("org.freedesktop.systemd1")
            .path(path)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await
    }
}
