//! The `nhi` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // One TLS stack for every client (AWS, GitHub, SaaS): rustls with aws-lc-rs, installed
    // once before any client is built. An error means one is installed already.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let cli = match nhi_audit::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match nhi_audit::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.code()),
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("nhi: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
