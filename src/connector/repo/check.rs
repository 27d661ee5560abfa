//! Checking rules against their own examples (`nhi rules check-secrets`, and a test).

use super::engine::Engine;

/// Runs every example (must yield a match of its rule) and negative example (must not).
/// Returns one line per failure, never the example's secret in full.
pub fn run(engine: &Engine) -> Vec<String> {
    let mut failures = Vec::new();
    for (ix, r) in engine.rules.iter().enumerate() {
        let id = &r.syntax.id;
        for (n, ex) in r.syntax.examples.iter().enumerate() {
            if !engine.scan(ex.as_bytes()).iter().any(|h| h.rule == ix) {
                failures.push(format!(
                    "{id} ({}): example {} does not match",
                    r.origin,
                    n + 1
                ));
            }
        }
        for (n, ex) in r.syntax.negative_examples.iter().enumerate() {
            if engine.scan(ex.as_bytes()).iter().any(|h| h.rule == ix) {
                failures.push(format!(
                    "{id} ({}): negative example {} matches",
                    r.origin,
                    n + 1
                ));
            }
        }
    }
    failures
}
