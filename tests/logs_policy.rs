//! `qd service logs` and `qd service status` under a policy, live against a private
//! `systemd --user`: an operator sees a unit only if they may see its site (a unit of
//! no site: admins only), and a site's log files are read with its user's rights.

mod support;

use support::qdconf::QdConf;
use support::stdout;
use support::systemd::UserSystemd;
use support::trust::{root_only, text, write};

#[test]
fn logs_and_status_follow_the_policy_and_the_site_users_rights() {
    if !root_only() {
        return;
    }
    let sd = UserSystemd::start();
    let base = tempfile::tempdir().expect("tmp");
    std::fs::set_permissions(
        base.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let open = base.path().join("open.log");
    let closed = base.path().join("closed.log");
    let other = base.path().join("other.log");
    write(&open, "line-of-the-open-log\n", 0o644);
    write(&closed, "line-only-root-may-read\n", 0o600);
    write(&other, "line-of-a-unit-of-no-site\n", 0o644);
    for (unit, log) in [
        ("qd-lp-open.service", &open),
        ("qd-lp-closed.service", &closed),
        ("qd-lp-other.service", &other),
    ] {
        sd.write_unit(
            unit,
            &format!(
                "[Unit]\nDescription=desc-of-{unit}\n[Service]\nExecStart=/bin/sleep 1000\n\
                 StandardOutput=append:{}\n",
                log.display()
            ),
        );
    }
    sd.daemon_reload();
    // Under sudo the user bus is the one the system file names.
    let conf = QdConf::new(&format!(
        "[systemd]\nbus = \"user\"\nbus_address = \"{}\"\n[[site]]\nname = \"shop\"\nuser = \"nobody\"\n\
         [[site.service]]\nname = \"open\"\nunit = \"qd-lp-open.service\"\n\
         [[site.service]]\nname = \"closed\"\nunit = \"qd-lp-closed.service\"\n\
         [[policy.operator]]\nuser = \"alice\"\nrole = \"developer\"\nsites = [\"shop\"]\n\
         [[policy.operator]]\nuser = \"root\"\nrole = \"admin\"\n",
        sd.bus_address()
    ));
    let run = |op: &str, args: &[&str]| {
        let mut c = conf.cmd(Some(op), args);
        sd.env(&mut c);
        c.output().expect("qd")
    };
    // alice, developer of shop, reads its log, as the site user.
    let o = run("alice", &["service", "logs", "shop/open", "-n", "5"]);
    assert!(
        o.status.success() && stdout(&o).contains("line-of-the-open-log"),
        "{}",
        text(&o)
    );
    let o = run("alice", &["service", "status", "shop/open"]);
    assert!(
        stdout(&o).contains("desc-of-qd-lp-open.service"),
        "{}",
        text(&o)
    );
    // A root-only log of the site: nobody may not read it, so qd does not either.
    let o = run("alice", &["service", "logs", "shop/closed", "-n", "5"]);
    assert!(
        !o.status.success()
            && !text(&o).contains("line-only-root-may-read")
            && text(&o).contains("permission denied"),
        "{}",
        text(&o)
    );
    // eve is in no rule: neither the site's units by name nor a unit of no site.
    for unit in ["qd-lp-open.service", "qd-lp-other.service"] {
        for cmd in ["logs", "status"] {
            let o = run("eve", &["service", cmd, unit]);
            assert!(
                !o.status.success()
                    && !text(&o).contains("line-of")
                    && !text(&o).contains("desc-of")
                    && text(&o).contains("may see"),
                "eve: service {cmd} {unit}:\n{}",
                text(&o)
            );
        }
    }
    // A unit of no site: alice (a developer) is refused, root (admin) reads it.
    let o = run("alice", &["service", "logs", "qd-lp-other.service"]);
    assert!(
        !o.status.success() && !text(&o).contains("line-of-a-unit"),
        "{}",
        text(&o)
    );
    let o = run("root", &["service", "logs", "qd-lp-other.service"]);
    assert!(
        o.status.success() && stdout(&o).contains("line-of-a-unit-of-no-site"),
        "{}",
        text(&o)
    );
}
