//! Per-check fixtures: every `tests/fixtures/<check-id>/fail-*.yaml` must yield at least
//! one finding of that check, every `pass-*.yaml` none; the findings of the fail fixtures
//! are snapshotted.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use rampart_checks::{Enabled, Params, all, run};
use rampart_model::{Limits, Source, parse_source};

fn scan(
    check: &'static rampart_checks::Check,
    path: &Path,
) -> (Vec<rampart_model::Object>, Vec<rampart_checks::Finding>) {
    let text = std::fs::read_to_string(path).unwrap();
    let source = Arc::new(Source::new(
        path.file_name().unwrap().to_string_lossy().into_owned(),
        Some(text),
    ));
    let parsed = parse_source(&source, &Limits::default());
    assert!(
        parsed.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        parsed.errors
    );
    assert!(!parsed.objects.is_empty(), "{}: no objects", path.display());
    let enabled = [Enabled {
        check,
        severity: check.meta.severity,
        params: Params::defaults(&check.meta),
    }];
    let findings = run(&enabled, &parsed.objects);
    (parsed.objects, findings)
}

#[test]
fn every_check_has_fixtures_that_behave() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut failures = Vec::new();
    for check in all() {
        let id = check.meta.id;
        let dir = root.join(id);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("no fixture folder tests/fixtures/{id}"))
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            })
            .collect();
        files.sort();
        let (mut passes, mut fails) = (0, 0);
        let mut snapshot = String::new();
        for f in &files {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            let (objects, findings) = scan(check, f);
            if name.starts_with("pass") {
                passes += 1;
                if !findings.is_empty() {
                    failures.push(format!(
                        "{id}/{name}: expected no finding, got {:?}",
                        findings.iter().map(|f| &f.message).collect::<Vec<_>>()
                    ));
                }
            } else if name.starts_with("fail") {
                fails += 1;
                if findings.is_empty() {
                    failures.push(format!("{id}/{name}: expected a finding, got none"));
                }
                writeln!(snapshot, "# {name}").unwrap();
                for fi in &findings {
                    let o = &objects[fi.object];
                    writeln!(
                        snapshot,
                        "{}:{} [{}] {} | {} | {}{}",
                        fi.pos.line,
                        fi.pos.col,
                        fi.severity,
                        o.display(),
                        fi.path,
                        fi.message,
                        fi.container
                            .as_ref()
                            .map(|c| format!(" | container={c}"))
                            .unwrap_or_default()
                    )
                    .unwrap();
                }
            }
        }
        if passes == 0 || fails == 0 {
            failures.push(format!(
                "{id}: needs at least one pass-*.yaml and one fail-*.yaml (has {passes} pass, {fails} fail)"
            ));
        }
        insta::assert_snapshot!(id, snapshot);
    }
    assert!(failures.is_empty(), "fixture failures:\n{}", failures.join("\n"));
}
