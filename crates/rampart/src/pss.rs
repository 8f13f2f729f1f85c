//! `rampart pss`: the Pod Security Standards decision for every object that carries a pod
//! spec, as the API server's Pod Security Admission would make it.

use std::fmt::Write as _;

use anyhow::Result;
use rampart_checks::pss::{self, Level, Version};
use rampart_model::{Level as DiagLevel, PodSpec, is_workload};
use serde_json::json;

use crate::cli::{PssArgs, PssFormat};
use crate::scan;

struct Decision<'a> {
    obj: &'a rampart_model::Object,
    violations: Vec<pss::Violation>,
}

pub fn run(args: &PssArgs) -> Result<u8> {
    let Some(level) = Level::parse(&args.level) else {
        eprintln!(
            "error: invalid level {:?}: expected privileged, baseline or restricted",
            args.level
        );
        return Ok(2);
    };
    let version = match Version::parse(&args.version) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(2);
        }
    };
    let loaded = scan::read_paths(&args.paths, &args.exclude, args.max_file_size, false);

    let mut decisions = Vec::new();
    let mut not_evaluated = Vec::new();
    for obj in &loaded.objects {
        match PodSpec::of(obj) {
            Some(pod) => decisions.push(Decision {
                obj,
                violations: pss::evaluate(&pod, level, version),
            }),
            None if is_workload(obj) => not_evaluated.push(obj),
            None => {}
        }
    }

    let errors = loaded
        .diagnostics
        .iter()
        .filter(|d| d.level == DiagLevel::Error)
        .count();
    let mut stderr = String::new();
    for d in &loaded.diagnostics {
        let _ = writeln!(stderr, "{d}");
    }
    for o in &not_evaluated {
        let _ = writeln!(
            stderr,
            "warning: {}:{}: {}: not evaluated: no pod template spec where this kind keeps it",
            o.source.name,
            o.pos().line,
            o.display()
        );
    }
    let out = match args.format {
        PssFormat::Json => json_out(level, version, &decisions),
        PssFormat::Text => text_out(level, version, &decisions),
    };
    let _ = std::io::Write::write_all(&mut std::io::stderr(), stderr.as_bytes());
    crate::run::write_stdout(&out)?;
    let denied = decisions.iter().any(|d| !d.violations.is_empty());
    Ok(if errors > 0 { 2 } else { u8::from(denied) })
}

fn json_out(level: Level, version: Version, decisions: &[Decision<'_>]) -> String {
    let results: Vec<_> = decisions
        .iter()
        .map(|d| {
            json!({
                "file": d.obj.source.name,
                "line": d.obj.pos().line,
                "apiVersion": d.obj.api_version,
                "kind": d.obj.kind,
                "namespace": d.obj.namespace,
                "name": d.obj.name,
                "allowed": d.violations.is_empty(),
                "violations": d.violations.iter().map(|v| json!({
                    "control": v.control,
                    "message": v.message(),
                    "reason": v.reason,
                    "detail": v.detail,
                    "line": v.pos.line,
                    "column": v.pos.col,
                    "path": v.path,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let doc = json!({
        "level": level.as_str(),
        "version": version.to_string(),
        "evaluatedVersion": format!("v1.{}", version.effective_minor()),
        "results": results,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn text_out(level: Level, version: Version, decisions: &[Decision<'_>]) -> String {
    let mut s = String::new();
    let denied = decisions.iter().filter(|d| !d.violations.is_empty()).count();
    for d in decisions {
        let o = d.obj;
        if d.violations.is_empty() {
            let _ = writeln!(s, "{}:{}: {}: allowed", o.source.name, o.pos().line, o.display());
            continue;
        }
        let _ = writeln!(
            s,
            "{}:{}: {}: denied: {}",
            o.source.name,
            o.pos().line,
            o.display(),
            pss::denial(level, version, &d.violations)
        );
        for v in &d.violations {
            let _ = writeln!(
                s,
                "  {}:{}: {}: {}",
                o.source.name,
                v.pos.line,
                v.control,
                v.message()
            );
        }
    }
    let _ = writeln!(
        s,
        "\nPod Security Standards {level}:{version}: {} object(s) with a pod spec, {} allowed, {denied} denied",
        decisions.len(),
        decisions.len() - denied
    );
    s
}
