//! Release builds of `qd` lay its functions out in the order of `build/qd.order`
//! (written by `bench/link-order.sh`): the code qd runs sits together, so fewer of the
//! binary's pages become resident (the kernel maps a file 64 KB around each page
//! fault). Nothing else changes. It uses lld's `--symbol-ordering-file`; rustc links
//! x86_64 Linux with its own lld, so that is the only target it is given to. Elsewhere,
//! or with `QD_LINK_ORDER=off`, the link is the default one.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build/qd.order");
    println!("cargo:rerun-if-env-changed=QD_LINK_ORDER");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("PROFILE") != "release"
        || var("QD_LINK_ORDER") == "off"
        || var("TARGET") != "x86_64-unknown-linux-gnu"
    {
        return;
    }
    let order = Path::new(&var("CARGO_MANIFEST_DIR")).join("build/qd.order");
    if !order.is_file() {
        return;
    }
    println!(
        "cargo:rustc-link-arg-bin=qd=-Wl,--symbol-ordering-file={}",
        order.display()
    );
    // A function renamed since the list was made is only not moved.
    println!("cargo:rustc-link-arg-bin=qd=-Wl,--no-warn-symbol-ordering");
}
