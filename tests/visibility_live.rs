//! What a role sees follows what it may do (`Operator::may_see_process`): a developer
//! sees the processes of their sites and their own, not another user's; an admin sees
//! everything. Real processes owned by test users, a developer policy, `qd snapshot
//! --json` as the operator (SUDO_USER), and the TUI's App under the same rule.

mod support;

use support::ensure_user;

use quarterdeck::actions::{Operator, Role};
use quarterdeck::model::policy::SiteSet;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use support::Proc;
use support::qdconf::{QdConf, is_root};

const DEV: &str = "qd-visdev";
const SITE_USER: &str = "qd-vissite";
const OTHER: &str = "qd-visother";

fn sleep_as(uid: u32) -> Proc {
    let child = support::spawn_execd(
        Command::new("sleep")
            .arg("1001")
            .uid(uid)
            .gid(uid)
            .current_dir("/")
            .stdin(Stdio::null()),
    );
    Proc { child, stdin: None }
}

fn pids(out: &std::process::Output) -> Vec<i64> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    v["processes"]
        .as_array()
        .expect("processes")
        .iter()
        .filter_map(|p| p["pid"].as_i64())
        .collect()
}

#[test]
fn a_developer_sees_their_sites_and_their_own_processes_only() {
    if !is_root() {
        eprintln!("skipped: needs root (test users, SUDO_USER)");
        return;
    }
    let (dev, site, other) = (ensure_user(DEV), ensure_user(SITE_USER), ensure_user(OTHER));
    let (p_dev, p_site, p_other) = (sleep_as(dev), sleep_as(site), sleep_as(other));
    let conf = QdConf::new(&format!(
        "[[site]]\nname = \"vis\"\nuser = \"{SITE_USER}\"\n[[site]]\nname = \"elsewhere\"\nuser = \"{OTHER}\"\n[[policy.operator]]\nuser = \"{DEV}\"\nrole = \"developer\"\nsites = [\"vis\"]\n[[policy.operator]]\nuser = \"root\"\nrole = \"admin\"\n"
    ));
    let seen = pids(&conf.run(Some(DEV), &["snapshot", "processes", "--json"]));
    assert!(
        seen.contains(&(p_site.pid() as i64)),
        "their site's process"
    );
    assert!(seen.contains(&(p_dev.pid() as i64)), "their own process");
    assert!(
        !seen.contains(&(p_other.pid() as i64)),
        "not another site's process"
    );
    assert!(
        !seen.contains(&(std::process::id() as i64)),
        "not root's processes"
    );
    let all = pids(&conf.run(Some("root"), &["snapshot", "processes", "--json"]));
    assert!(
        all.contains(&(p_other.pid() as i64)),
        "an admin sees everything"
    );
    assert!(all.contains(&(std::process::id() as i64)));

    // The TUI applies the same rule to its tables.
    let snap = std::sync::Arc::new(quarterdeck::sources::one_shot(
        std::time::Duration::ZERO,
        false,
        &std::sync::Arc::new(quarterdeck::model::site::Sites::default()),
    ));
    let mut env = quarterdeck::tui::app::Env::for_tests();
    env.operator = Operator {
        name: DEV.into(),
        uid: 0,
        role: Role::Developer,
        sites: SiteSet::Only(vec!["vis".into()]),
        hosts: SiteSet::none(),
        rule: None,
    };
    env.sites = std::sync::Arc::new(quarterdeck::model::site::Sites::new(vec![
        quarterdeck::model::site::Site {
            name: "vis".into(),
            user: SITE_USER.into(),
            trusted: true,
            services: Vec::new(),
        },
    ]));
    let app = quarterdeck::tui::app::App::new(env, snap, (120, 30));
    let shown: Vec<i32> = app.data.snapshot.processes.iter().map(|p| p.pid).collect();
    assert!(shown.contains(&p_site.pid()) && shown.contains(&p_dev.pid()));
    assert!(!shown.contains(&p_other.pid()));
    assert!(!shown.contains(&(std::process::id() as i32)));
}
