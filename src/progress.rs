//! The one place that decides whether progress is drawn: on stderr, only when stderr is a
//! terminal, not with `--quiet`, and not in CI. One line per source, with counts.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress of a whole scan.
#[derive(Clone, Default)]
pub struct Progress {
    multi: Option<MultiProgress>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("enabled", &self.multi.is_some())
            .finish()
    }
}

/// Whether progress should be drawn, given `--quiet`.
pub fn enabled(quiet: bool) -> bool {
    !quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false")
}

impl Progress {
    /// Progress drawn on stderr when [`enabled`]; otherwise silent.
    pub fn new(quiet: bool) -> Self {
        Self {
            multi: enabled(quiet)
                .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        }
    }

    /// Ends the progress display, leaving the finished lines in place.
    pub fn finish(&self) {
        if self.multi.is_some() {
            eprintln!();
        }
    }

    /// A line for one source.
    pub fn source(&self, name: &str) -> Line {
        let bar = self.multi.as_ref().map(|m| {
            let b = m.add(ProgressBar::new_spinner());
            b.set_style(
                ProgressStyle::with_template("{spinner} {prefix:<16} {msg}")
                    .expect("a valid template"),
            );
            b.set_prefix(name.to_string());
            b.set_message("starting");
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        Line {
            bar,
            multi: self.multi.clone(),
        }
    }
}

/// One source's progress line.
#[derive(Clone, Default)]
pub struct Line {
    bar: Option<ProgressBar>,
    multi: Option<MultiProgress>,
}

impl Line {
    /// A line under this one (an account of a source).
    pub fn child(&self, name: &str) -> Line {
        let bar = self.multi.as_ref().map(|m| {
            let b = m.add(ProgressBar::new_spinner());
            b.set_style(
                ProgressStyle::with_template("  {spinner} {prefix:<40} {msg}")
                    .expect("a valid template"),
            );
            b.set_prefix(crate::report::escape::terminal(name));
            b.enable_steady_tick(Duration::from_millis(120));
            b
        });
        Line {
            bar,
            multi: self.multi.clone(),
        }
    }

    /// Shows what the source is doing, with counts.
    pub fn update(&self, msg: impl Into<String>) {
        if let Some(b) = &self.bar {
            b.set_message(crate::report::escape::terminal(&msg.into()));
        }
    }

    /// Ends the line with a final message.
    pub fn finish(&self, msg: impl Into<String>) {
        if let Some(b) = &self.bar {
            b.finish_with_message(crate::report::escape::terminal(&msg.into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silent_when_quiet_or_not_a_terminal() {
        assert!(!enabled(true));
        // Tests run with stderr captured: never a terminal.
        assert!(!enabled(false));
        let p = Progress::new(false);
        assert!(p.multi.is_none());
        p.source("x").update("nothing drawn");
    }
}
