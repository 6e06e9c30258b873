//! Helpers of the trust-model attack tests (tests/trust_model.rs, tests/trust_files.rs):
//! files written with a mode, the operator's own config dir, and the output in one.

use super::qdconf::{Extra, QdConf, is_root};
use super::{stderr, stdout};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The system file of the attacks: site shop (user nobody), dev1 its developer,
/// group root admin.
pub const SYSTEM: &str = r#"[[site]]
name = "shop"
user = "nobody"
[[site.service]]
name = "api"
working_dir = "/"
[[policy.operator]]
user = "dev1"
role = "developer"
sites = ["shop"]
[[policy.operator]]
group = "root"
role = "admin"
"#;

pub fn text(o: &std::process::Output) -> String {
    stdout(o) + &stderr(o)
}

pub fn root_only() -> bool {
    if !is_root() {
        eprintln!("skipped: impersonating an operator under sudo needs root");
    }
    is_root()
}

pub fn write(p: &Path, body: &str, mode: u32) {
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).expect("mkdir");
    }
    std::fs::write(p, body).expect("write");
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// The operator's own config, reached through XDG_CONFIG_HOME or HOME.
pub fn operator_config(conf: &QdConf, via_home: bool, body: &str) -> Extra {
    let base = conf.env.dir.path().join("operator");
    let (file, extra) = if via_home {
        (
            base.join(".config/quarterdeck/config.toml"),
            Extra {
                home: Some(base.clone()),
                unset_config_home: true,
                ..Extra::default()
            },
        )
    } else {
        (
            base.join("xdg/quarterdeck/config.toml"),
            Extra {
                config_home: Some(base.join("xdg")),
                ..Extra::default()
            },
        )
    };
    write(&file, body, 0o644);
    extra
}
