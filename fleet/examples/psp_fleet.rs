//! A PSP fleet: N worker processes sharing one Redis and one sandbox.
//!
//! ```sh
//! redis-server --port 6399 --save '' &
//! cargo run -p scalexpert-sandbox --bin scalexpert-sandbox -- --port 8080 --quota 100 --quota-window-secs 10 &
//! cargo run --example psp_fleet -p scalexpert-fleet -- \
//!     --sandbox http://127.0.0.1:8080 --redis redis://127.0.0.1:6399 --processes 4 --duration-secs 20 \
//!     --quota-calls 100 --quota-window-secs 10
//! ```
//!
//! `--help` lists the options and their defaults; the last line printed is a JSON summary.

fn main() {
    if let Err(error) = scalexpert_fleet::main_from_args() {
        eprintln!("psp_fleet: {error}");
        std::process::exit(2);
    }
}
