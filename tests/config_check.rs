//! `qd config check` against folders of valid and invalid configs. Each invalid file
//! starts with `# expect: LINE:COL: text`: the error must name that place and say it.

mod support;

use std::path::PathBuf;
use support::*;

fn files(kind: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/configs")
        .join(kind);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    v.sort();
    assert!(!v.is_empty());
    v
}

#[test]
fn valid_configs_pass() {
    let env = QdEnv::new();
    for f in files("valid") {
        let out = env.run(&["config", "check", f.to_str().expect("utf8 path")]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            f.display(),
            stderr(&out)
        );
        assert!(stdout(&out).contains(": ok"), "{}", stdout(&out));
    }
}

#[test]
fn invalid_configs_name_line_column_and_key() {
    let env = QdEnv::new();
    for f in files("invalid") {
        let text = std::fs::read_to_string(&f).expect("read");
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .expect("expect line");
        let out = env.run(&["config", "check", f.to_str().expect("utf8 path")]);
        assert_eq!(out.status.code(), Some(2), "{} should fail", f.display());
        let err = stderr(&out);
        let want = format!("{}:{}", f.display(), expect);
        assert!(
            err.contains(want.trim_end()),
            "{}:\n  want {want:?}\n  got  {err:?}",
            f.display()
        );
    }
}

#[test]
fn the_example_config_is_valid() {
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    // Its [policy] is trusted only in a closed place: a private copy, as /etc would be.
    let env = QdEnv::new();
    let copy = env.dir.path().join("config.toml");
    std::fs::copy(&example, &copy).expect("copy the example");
    std::fs::set_permissions(&copy, std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .expect("chmod");
    let out = env.run(&["config", "check", copy.to_str().expect("utf8")]);
    if support::qdconf::is_root() {
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            stdout(&out).contains("policy: 3 rule(s)"),
            "{}",
            stdout(&out)
        );
    } else {
        assert!(stderr(&out).contains("not root"), "{}", stderr(&out));
    }
}

#[test]
fn a_broken_config_given_with_flag_is_fatal_before_or_after_the_subcommand() {
    let bad =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/configs/invalid/unknown-key.toml");
    let env = QdEnv::new();
    for args in [
        vec![
            "--config",
            bad.to_str().expect("utf8"),
            "snapshot",
            "processes",
        ],
        vec![
            "snapshot",
            "processes",
            "--config",
            bad.to_str().expect("utf8"),
        ],
    ] {
        let out = env.run(&args);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("general.refersh_ms: unknown field `refersh_ms`"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_broken_user_config_is_reported_and_defaults_are_used() {
    let env = QdEnv::new();
    let dir = env.config_dir().join("quarterdeck");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("config.toml"), "[general]\nrefresh_ms = \"x\"\n").expect("write");
    // The headless command still works...
    let out = env.run(&["snapshot", "processes", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // ...and `config check` reports the user file with its position.
    let out = env.run(&["config", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("config.toml:2:14"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("defaults used"), "{}", stderr(&out));
}

#[test]
fn a_user_theme_is_found_by_name() {
    let env = QdEnv::new();
    let dir = env.config_dir().join("quarterdeck/themes");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("mine.toml"),
        "selection = { fg = \"black\", bg = \"#ff8800\" }\n",
    )
    .expect("write");
    let cfg = env.config_dir().join("c.toml");
    std::fs::write(&cfg, "[general]\ntheme = \"mine\"\n").expect("write");
    let out = env.run(&["config", "check", cfg.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::write(dir.join("mine.toml"), "selection = { fg = \"blurple\" }\n").expect("write");
    let out = env.run(&["config", "check", cfg.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`blurple` is not a colour"),
        "{}",
        stderr(&out)
    );
}

/// `sites` sites of `per_site` services each; `dup_at`: (site, service) whose name
/// repeats the one before it. Returns the text and the line of the repeated name.
fn generated(sites: usize, per_site: usize, dup_at: Option<(usize, usize)>) -> (String, usize) {
    let mut t = String::with_capacity(sites * per_site * 32);
    let mut line = 1;
    let mut dup_line = 0;
    for s in 0..sites {
        t.push_str(&format!("[[site]]\nname = \"s{s}\"\nuser = \"nobody\"\n"));
        line += 3;
        for v in 0..per_site {
            let dup = dup_at == Some((s, v));
            let n = if dup { v - 1 } else { v };
            t.push_str(&format!("[[site.service]]\nname = \"v{n}\"\n"));
            if dup {
                dup_line = line + 1;
            }
            line += 2;
        }
    }
    (t, dup_line)
}

#[test]
fn two_hundred_thousand_services_check_and_a_deep_duplicate_is_found() {
    let env = QdEnv::new();
    let f = env.dir.path().join("big.toml");
    let (text, _) = generated(200, 1000, None);
    std::fs::write(&f, text).expect("write");
    let out = env.run(&["config", "check", f.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("200 site(s), 200000 service(s)"),
        "{}",
        stdout(&out)
    );
    let (text, line) = generated(200, 1000, Some((190, 777)));
    std::fs::write(&f, text).expect("write");
    let out = env.run(&["config", "check", f.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    let want = format!("{}:{line}:", f.display());
    assert!(
        stderr(&out).contains(&want)
            && stderr(&out).contains("`v776` is defined twice in site s190"),
        "want {want}: {}",
        stderr(&out)
    );
}

#[test]
fn config_check_says_whether_each_file_is_trusted() {
    let env = QdEnv::new();
    let f = env.dir.path().join("loose.toml");
    std::fs::write(&f, "[general]\nrefresh_ms = 1500\n").expect("write");
    std::fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(0o664))
        .expect("chmod");
    let out = env.run(&["config", "check", f.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let o = stdout(&out);
    assert!(
        o.contains("loose.toml: ok (given file, not trusted:")
            && o.contains("writable by its group"),
        "{o}"
    );
    std::fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .expect("chmod");
    let out = env.run(&["config", "check", f.to_str().expect("utf8")]);
    if support::qdconf::is_root() {
        assert!(
            stdout(&out).contains("ok (given file, trusted)"),
            "{}",
            stdout(&out)
        );
    }
}
