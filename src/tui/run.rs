//! Does what handlers ask (`Act`s) in order: opens popups, sets the status, switches
//! screens, and sends every action through `propose` (policy, then its confirmation,
//! then the dispatcher). Screens and popups return `Act`s; this is the only place that
//! turns them into state and effects, so no handler calls another or the dispatcher.

use super::app::App;
use super::msg::{Act, Effect};

pub fn apply(app: &mut App, acts: Vec<Act>) -> Vec<Effect> {
    let mut out = Vec::new();
    for act in acts {
        match act {
            Act::Effect(e) => out.push(e),
            Act::Popup(p) => app.popup = Some(p),
            Act::Status(level, text) => app.set_status(level, text),
            Act::Show(s) => out.extend(super::commands::show(app, s)),
            Act::Leave => app.leave(),
            Act::Propose(a) => out.extend(super::propose::propose(app, a)),
            Act::Run(cmd) => out.extend(super::commands::apply(app, cmd)),
        }
    }
    out
}
