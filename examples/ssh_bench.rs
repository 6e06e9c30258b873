//! The pool's latencies, for `bench/ssh.sh`: a warm exec of `true` on one host, a
//! warm fan-out of `true` to every host of the config, the same two through the one
//! action path (a dispatcher with the config's policy and audit log: what the TUI's
//! `x` runs), and a cold connect (a new pool each time). Usage: `ssh_bench CONFIG
//! ROUNDS`. Prints one `name ms` line each (the mean of ROUNDS).

use quarterdeck::actions::{Action, Dispatcher, JobCtl, Operator, Policy};
use quarterdeck::audit::AuditLog;
use quarterdeck::ssh::exec::{self, OnLine};
use quarterdeck::ssh::{Pool, prompt::Prompter};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(rounds)) = (args.get(1), args.get(2).and_then(|r| r.parse::<u32>().ok()))
    else {
        eprintln!("usage: ssh_bench CONFIG ROUNDS");
        std::process::exit(2);
    };
    let cfg = match quarterdeck::config::check(std::path::Path::new(path)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let hosts = cfg.hosts.clone();
    let Some(first) = hosts.first().cloned() else {
        eprintln!("the config has no [[host]]");
        std::process::exit(2);
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let quiet: OnLine = Arc::new(|_, _, _| {});
    rt.block_on(async {
        let pool = Pool::new(cfg.ssh.clone(), Prompter::none());
        let check = |o: &exec::ExecOutcome| {
            if !o.ok() {
                eprintln!("{}: {}", o.host, o.summary());
                std::process::exit(1);
            }
        };
        check(&exec::exec(&pool, &first, "true", None, &quiet).await);
        let t = Instant::now();
        for _ in 0..rounds {
            check(&exec::exec(&pool, &first, "true", None, &quiet).await);
        }
        println!(
            "warm_exec {:.2}",
            t.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds)
        );

        let n = hosts.len();
        let how = exec::FanOut::quiet(n);
        for o in exec::fan_out(&pool, &hosts, "true", &how).await {
            check(&o);
        }
        let t = Instant::now();
        for _ in 0..rounds {
            exec::fan_out(&pool, &hosts, "true", &how).await;
        }
        println!(
            "warm_fanout_{n} {:.2}",
            t.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds)
        );

        // The same through the dispatcher: policy, a `started` record, one per host,
        // the job's end, on the same pool.
        let d = Arc::new(
            Dispatcher::new(
                Policy::new(cfg.policy.clone()),
                Operator::current().under(&cfg.policy),
                false,
                cfg.restart_grace,
            )
            .with_audit(AuditLog::new(
                cfg.audit
                    .dir
                    .clone()
                    .unwrap_or_else(quarterdeck::audit::default_dir),
            )),
        );
        d.ssh_pool(|| pool.clone());
        let act = |hosts: Vec<quarterdeck::ssh::Host>| Action::Exec {
            hosts,
            command: "true".into(),
            parallel: n,
            timeout: None,
        };
        let (one, all) = (act(vec![first.clone()]), act(hosts.clone()));
        let ctl = JobCtl::quiet();
        let dispatch = async |a: &Action| match d.dispatch_job(a, &ctl).await {
            Ok(r) if r.all_ok() => {}
            Ok(r) => {
                for o in r.outcomes.iter().filter(|o| !o.ok()) {
                    eprintln!("{}: {}", o.label(), o.message);
                }
                std::process::exit(1);
            }
            Err(denial) => {
                eprintln!("{denial}");
                std::process::exit(1);
            }
        };
        let t = Instant::now();
        for _ in 0..rounds {
            dispatch(&one).await;
        }
        println!(
            "warm_exec_action {:.2}",
            t.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds)
        );
        let t = Instant::now();
        for _ in 0..rounds {
            dispatch(&all).await;
        }
        println!(
            "warm_fanout_{n}_action {:.2}",
            t.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds)
        );

        let t = Instant::now();
        for _ in 0..rounds.min(20) {
            let cold = Pool::new(cfg.ssh.clone(), Prompter::none());
            check(&exec::exec(&cold, &first, "true", None, &quiet).await);
            cold.close_all().await;
        }
        println!(
            "cold_exec {:.2}",
            t.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds.min(20))
        );
    });
}
