//! The `rampart` command: scans Kubernetes manifests for risky configuration, prints
//! findings for people and machines, and exits non-zero when CI should fail.

mod catalog;
mod cli;
mod compliance;
mod db;
mod image;
mod node;
mod pss;
mod run;
mod scan;
mod vulns;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

/// mimalloc instead of the system allocator: a scan makes millions of small allocations
/// from several threads, where glibc's allocator spends more time than the checks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match run::main(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                // The reader went away (`rampart scan | head`): not an error.
                return ExitCode::from(run::exit_code_for_broken_pipe());
            }
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            ExitCode::from(2)
        }
    }
}
