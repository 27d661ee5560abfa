//! `nhi completions SHELL`.

use clap_complete::Shell;

use super::Outcome;
use crate::cli::CompletionsArgs;

/// Writes the completion script of a shell to a writer.
pub fn generate(shell: Shell, w: &mut dyn std::io::Write) {
    clap_complete::generate(shell, &mut crate::cli::command(), "nhi", w);
}

/// Prints completions.
pub fn run(args: CompletionsArgs) -> anyhow::Result<Outcome> {
    generate(args.shell, &mut std::io::stdout().lock());
    Ok(Outcome::Clean)
}
