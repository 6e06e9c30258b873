//! The unit list and the per-unit properties the services tables show.
//!
//! Site units are listed by name (`ListUnitsByNames` loads a unit that is not
//! loaded, so a stopped site service still has its row); the all-units view lists by
//! pattern. The list call gives the states; the other properties are read after it
//! (`props`), all at once or, for the TUI, the rows on screen first.

use super::Systemd;
use super::props::Part;
use crate::model::unit::Unit;
use zbus::OwnedObjectPath;
use zbus_systemd::systemd1::ManagerProxy;

/// Which units to list.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// Exactly these units, loaded or not.
    Names(Vec<String>),
    /// Loaded units matching these globs (empty: all).
    Patterns(Vec<String>),
}

type Listed = (
    String,
    String,
    String,
    String,
    String,
    String,
    OwnedObjectPath,
    u32,
    String,
    OwnedObjectPath,
);

impl Systemd {
    pub async fn manager(&self) -> zbus::Result<ManagerProxy<'static>> {
        ManagerProxy::new(&self.conn).await
    }

    /// The units of `sel`, sorted by name, with what the one list call says of them
    /// (name, description, load, active and sub state) and their object paths; their
    /// other properties are not read yet (`props_pending`).
    pub async fn list_states(&self, sel: &Selection) -> zbus::Result<Vec<(Unit, OwnedObjectPath)>> {
        let manager = self.manager().await?;
        let listed: Vec<Listed> = match sel {
            Selection::Names(n) if n.is_empty() => Vec::new(),
            Selection::Names(n) => manager.list_units_by_names(n.clone()).await?,
            Selection::Patterns(p) => {
                manager
                    .list_units_by_patterns(Vec::new(), p.clone())
                    .await?
            }
        };
        let mut units: Vec<(Unit, OwnedObjectPath)> = listed
            .into_iter()
            .map(
                |(name, description, load, active, sub, _following, path, ..)| {
                    (
                        Unit {
                            unit: name,
                            description,
                            load_state: load,
                            active_state: active,
                            sub_state: sub,
                            props_pending: true,
                            detail_pending: true,
                            ..Unit::default()
                        },
                        path,
                    )
                },
            )
            .collect();
        units.sort_by(|a, b| a.0.unit.cmp(&b.0.unit));
        Ok(units)
    }

    /// The units of `sel`, sorted by name, with their properties, and each unit's
    /// object path (for following its changes).
    pub async fn list(&self, sel: &Selection) -> zbus::Result<Vec<(Unit, OwnedObjectPath)>> {
        let mut units = self.list_states(sel).await?;
        let all: Vec<(usize, Part)> = (0..units.len()).map(|i| (i, Part::All)).collect();
        self.read_props(&mut units, &all).await;
        Ok(units)
    }

    /// The units, without their paths.
    pub async fn units(&self, sel: &Selection) -> zbus::Result<Vec<Unit>> {
        Ok(self.list(sel).await?.into_iter().map(|(u, _)| u).collect())
    }
}
