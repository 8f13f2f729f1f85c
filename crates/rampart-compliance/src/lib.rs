//! Compliance for Rampart: the control catalogs of the standards auditors ask about (data
//! files in `data/`, one per standard), and scoring a scan against them. Each check
//! declares the controls it evidences once, in its metadata (`standard-id:control-id`);
//! reports invert that mapping.

pub mod catalog;
pub mod evaluate;

use std::sync::OnceLock;

pub use catalog::{Assessment, CatalogError, Control, Section, Standard};
pub use evaluate::{ControlResult, Evidence, NodeItem, Score, StandardResult, Status, evaluate, mapping};

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/catalogs.rs"));
}

/// Every bundled standard, in a stable order (parsed once; the catalogs are validated by
/// the tests, so a parse error here is a build defect).
pub fn standards() -> &'static [Standard] {
    static ALL: OnceLock<Vec<Standard>> = OnceLock::new();
    ALL.get_or_init(|| {
        bundled::FILES
            .iter()
            .map(|(name, text)| {
                catalog::parse(name, text).unwrap_or_else(|errors| {
                    panic!(
                        "bundled catalog {name} is invalid:\n{}",
                        errors
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("\n")
                    )
                })
            })
            .collect()
    })
}

/// A bundled standard by id.
pub fn find(id: &str) -> Option<&'static Standard> {
    standards().iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_bundled_catalog_is_valid() {
        for (name, text) in bundled::FILES {
            if let Err(errors) = catalog::parse(name, text) {
                panic!(
                    "{}",
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
        }
        let ids: BTreeSet<&str> = standards().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), standards().len(), "standard ids are unique");
        for (name, _) in bundled::FILES {
            let stem = name.trim_end_matches(".yaml");
            assert!(
                ids.contains(stem),
                "{name}: the file is named after the standard id"
            );
        }
    }

    #[test]
    fn every_control_a_check_names_exists() {
        let mut unknown = Vec::new();
        for c in rampart_checks::all() {
            for r in c.meta.controls {
                let Some((s, control)) = r.split_once(':') else {
                    unknown.push(format!("{}: `{r}` is not standard:control", c.meta.id));
                    continue;
                };
                match find(s) {
                    None => unknown.push(format!("{}: unknown standard `{s}`", c.meta.id)),
                    Some(std) => match std.control(control) {
                        None => unknown.push(format!("{}: {s} has no control `{control}`", c.meta.id)),
                        Some(ctl) if ctl.assessment != Assessment::Automated => unknown.push(format!(
                            "{}: {s} control `{control}` is {}, but a check evidences it; mark it automated",
                            c.meta.id,
                            ctl.assessment.as_str()
                        )),
                        Some(_) => {}
                    },
                }
            }
        }
        assert!(unknown.is_empty(), "{}", unknown.join("\n"));
    }

    #[test]
    fn every_automated_control_has_a_check() {
        let mut orphans = Vec::new();
        for s in standards() {
            let map = mapping(&s.id, rampart_checks::all());
            for c in &s.controls {
                if c.assessment == Assessment::Automated && !map.contains_key(&c.id) {
                    orphans.push(format!("{}:{} ({})", s.id, c.id, c.title));
                }
            }
        }
        assert!(
            orphans.is_empty(),
            "automated controls no check evidences (make them manual, with guidance):\n{}",
            orphans.join("\n")
        );
    }

    #[test]
    fn node_items_decide_the_node_controls() {
        let std = find("cis-kubernetes-1.12").unwrap();
        let item = |control: &str, node: &str, status: &str, accepted: bool| NodeItem {
            control: control.into(),
            node: node.into(),
            status: status.into(),
            found: vec![(
                "kube-apiserver --profiling=true".into(),
                Some("/etc/kubernetes/manifests/kube-apiserver.yaml".into()),
                Some(12),
            )],
            remediation: "Set --profiling=false.".into(),
            accepted: accepted.then(|| rampart_checks::Suppression {
                kind: rampart_checks::SuppressionKind::Exception,
                reason: "lab".into(),
                source: ".rampart.yaml:2".into(),
                expires: None,
                ticket: None,
            }),
        };
        let mut r = evaluate(std, &[], &[], &[]);
        let before = r.score;
        r.apply_node_items(
            std,
            &[
                item("1.2.15", "cp-1", "pass", false),
                item("1.2.15", "cp-2", "fail", false),
                item("1.2.16", "cp-1", "fail", true),
                item("1.2.20", "cp-1", "warn", false),
                item("1.1.9", "cp-1", "not-applicable", false),
            ],
        );
        let status = |id: &str| r.controls.iter().find(|c| c.control.id == id).unwrap().status;
        assert_eq!(
            status("1.2.15"),
            Status::Fail,
            "one failing node fails the control"
        );
        assert_eq!(status("1.2.16"), Status::PassWithException);
        assert_eq!(status("1.2.20"), Status::Manual);
        assert_eq!(status("1.1.9"), Status::NotApplicable);
        assert_eq!(status("1.2.17"), Status::NotAssessed, "no node reported on it");
        let failed = r.controls.iter().find(|c| c.control.id == "1.2.15").unwrap();
        assert_eq!(failed.failures.len(), 1);
        assert_eq!(failed.failures[0].object, "Node cp-2");
        assert_eq!(failed.failures[0].line, 12);
        assert_eq!(r.score.assessed, before.assessed + 2);
        assert_eq!(r.score.passed, before.passed + 1);
    }
}
