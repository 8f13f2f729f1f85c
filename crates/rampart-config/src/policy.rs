//! The policy step: after the checks ran, decide in one place which findings are
//! suppressed (annotations, exceptions) or already known (baseline). The CLI, the admission
//! webhook and a server all call this same function.

use std::collections::HashSet;

use rampart_checks::{Finding, Suppression, SuppressionKind};
use rampart_model::{Diagnostic, Level, Node, Object, PodSpec, Pos};

use crate::config::{Config, Exception};
use crate::date::Date;
use crate::glob::path_matches;

/// Prefix of the per-check suppression annotation.
pub const IGNORE_CHECK_PREFIX: &str = "ignore-check.rampart.dev/";
/// The annotation that suppresses every check on an object.
pub const IGNORE_ALL: &str = "rampart.dev/ignore-all";

struct Annotation<'a> {
    /// Canonical check id, or `*` for ignore-all.
    check: String,
    reason: &'a str,
    pos: Pos,
}

/// The suppression annotations on an object and on its pod template, with warnings for
/// malformed ones (missing reason, unknown check).
fn annotations<'a>(obj: &'a Object, notes: &mut Vec<Diagnostic>) -> Vec<Annotation<'a>> {
    let mut out = Vec::new();
    let mut metas: Vec<&Node> = obj.metadata().into_iter().collect();
    if let Some(pod) = PodSpec::of(obj)
        && let Some(m) = pod.metadata
        && !metas.iter().any(|x| std::ptr::eq(*x, m))
    {
        metas.push(m);
    }
    for meta in metas {
        for (k, v) in meta.get("annotations").map(Node::entries).unwrap_or_default() {
            let checks: Vec<String> = if k.name == IGNORE_ALL {
                vec!["*".to_string()]
            } else if let Some(id) = k.name.strip_prefix(IGNORE_CHECK_PREFIX) {
                let found = rampart_checks::resolve(id);
                if found.is_empty() {
                    notes.push(Diagnostic {
                        level: Level::Warning,
                        file: obj.source.name.clone(),
                        pos: Some(k.pos),
                        message: format!(
                            "annotation `{}` names an unknown check `{id}`; it suppresses nothing",
                            k.name
                        ),
                    });
                    continue;
                }
                found.iter().map(|c| c.meta.id.to_string()).collect()
            } else {
                continue;
            };
            let reason = v.scalar_text().unwrap_or("").trim();
            if reason.is_empty() {
                notes.push(Diagnostic {
                    level: Level::Warning,
                    file: obj.source.name.clone(),
                    pos: Some(k.pos),
                    message: format!(
                        "annotation `{}` has no reason; write why the finding is acceptable as its value. It suppresses nothing until then",
                        k.name
                    ),
                });
                continue;
            }
            out.extend(checks.into_iter().map(|check| Annotation {
                check,
                reason,
                pos: k.pos,
            }));
        }
    }
    out
}

fn glob_opt(pattern: Option<&String>, value: &str) -> bool {
    pattern.is_none_or(|p| rampart_checks::util::glob_match(p, value))
}

fn exception_matches(e: &Exception, f: &Finding, obj: &Object) -> bool {
    (e.checks.iter().any(|c| c == "*" || c == f.check))
        && glob_opt(e.kind.as_ref(), &obj.kind)
        && glob_opt(e.namespace.as_ref(), obj.namespace.as_deref().unwrap_or(""))
        && glob_opt(e.name.as_ref(), &obj.name)
        && (e.container.is_none()
            || f.container
                .as_deref()
                .is_some_and(|c| glob_opt(e.container.as_ref(), c)))
        && (e.paths.is_empty() || e.paths.iter().any(|p| path_matches(p, &obj.source.name)))
}

/// Applies annotations, exceptions and the baseline to `findings`, and returns warnings:
/// malformed annotations, expired exceptions, and exceptions that matched nothing.
#[allow(clippy::implicit_hasher)]
pub fn apply(
    objects: &[Object],
    findings: &mut [Finding],
    config: &Config,
    baseline: Option<&HashSet<String>>,
    today: Date,
) -> Vec<Diagnostic> {
    let mut notes = Vec::new();
    let per_object: Vec<Vec<Annotation<'_>>> = objects.iter().map(|o| annotations(o, &mut notes)).collect();
    let mut used = vec![0usize; config.exceptions.len()];
    let mut expired_hits = vec![0usize; config.exceptions.len()];
    for f in findings.iter_mut() {
        let obj = &objects[f.object];
        if let Some(a) = per_object[f.object]
            .iter()
            .find(|a| a.check == "*" || a.check == f.check)
        {
            f.suppressed = Some(Box::new(Suppression {
                kind: SuppressionKind::Annotation,
                reason: a.reason.to_string(),
                source: format!("{}:{}", obj.source.name, a.pos.line),
                expires: None,
                ticket: None,
            }));
        } else {
            for (i, e) in config.exceptions.iter().enumerate() {
                if !exception_matches(e, f, obj) {
                    continue;
                }
                if e.expires.is_some_and(|d| d < today) {
                    expired_hits[i] += 1;
                    continue;
                }
                used[i] += 1;
                f.suppressed = Some(Box::new(Suppression {
                    kind: SuppressionKind::Exception,
                    reason: e.reason.clone(),
                    source: e.origin.clone(),
                    expires: e.expires.map(|d| d.to_string()),
                    ticket: e.ticket.clone(),
                }));
                break;
            }
        }
        if let Some(b) = baseline {
            f.in_baseline = b.contains(&f.fingerprint);
        }
    }
    for (i, e) in config.exceptions.iter().enumerate() {
        let (file, line) = e.origin.rsplit_once(':').unwrap_or((&e.origin, "0"));
        let pos = Some(Pos::new(line.parse().unwrap_or(0), 1));
        if let Some(d) = e.expires.filter(|d| *d < today) {
            notes.push(Diagnostic {
                level: Level::Warning,
                file: file.to_string(),
                pos,
                message: format!(
                    "exception expired on {d} and no longer suppresses anything ({} finding(s) it matched are reported again); renew it or fix them",
                    expired_hits[i]
                ),
            });
        } else if used[i] == 0 {
            notes.push(Diagnostic {
                level: Level::Warning,
                file: file.to_string(),
                pos,
                message: "exception matched no finding; remove it if the problem it covered is fixed".into(),
            });
        }
    }
    notes
}
