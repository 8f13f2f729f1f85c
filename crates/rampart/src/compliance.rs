//! `rampart compliance`: the scan scored against security standards.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use anyhow::{Context as _, Result};
use rampart_compliance::{Assessment, Standard, StandardResult};
use rampart_config::Date;
use rampart_model::Level;
use rampart_report::compliance::{self as report, ComplianceReport};

use crate::cli::{ComplianceArgs, ComplianceFormat};
use crate::scan;

fn list(format: ComplianceFormat) -> String {
    let standards = rampart_compliance::standards();
    let count = |s: &Standard, a: Assessment| s.controls.iter().filter(|c| c.assessment == a).count();
    if format == ComplianceFormat::Json {
        let rows: Vec<serde_json::Value> = standards
            .iter()
            .map(|s| {
                serde_json::json!({
                    "id": s.id, "title": s.title, "version": s.version,
                    "controls": s.controls.len(),
                    "automated": count(s, Assessment::Automated),
                    "manual": count(s, Assessment::Manual),
                    "node": count(s, Assessment::Node),
                })
            })
            .collect();
        let mut out = serde_json::to_string_pretty(&rows).expect("serializable");
        out.push('\n');
        return out;
    }
    let w = standards.iter().map(|s| s.id.len()).max().unwrap_or(10);
    let mut out = format!(
        "{:<w$}  {:>8}  {:>9}  {:>6}  {:>4}  title\n",
        "id", "controls", "automated", "manual", "node"
    );
    for s in standards {
        let _ = writeln!(
            out,
            "{:<w$}  {:>8}  {:>9}  {:>6}  {:>4}  {} {}",
            s.id,
            s.controls.len(),
            count(s, Assessment::Automated),
            count(s, Assessment::Manual),
            count(s, Assessment::Node),
            s.title,
            s.version
        );
    }
    out
}

fn write_out(args: &ComplianceArgs, text: &str) -> Result<()> {
    match &args.output {
        Some(p) => crate::run::write_report_file(p, |w| w.write_all(text.as_bytes()))
            .with_context(|| format!("cannot write {}", p.display())),
        None => crate::run::write_stdout(text),
    }
}

pub fn run(args: &ComplianceArgs) -> Result<u8> {
    if args.list {
        write_out(args, &list(args.format))?;
        return Ok(0);
    }
    // Standards
    let mut selected: Vec<&'static Standard> = Vec::new();
    for id in &args.standard {
        if id == "all" {
            selected = rampart_compliance::standards().iter().collect();
            break;
        }
        match rampart_compliance::find(id) {
            Some(s) if !selected.iter().any(|x| x.id == s.id) => selected.push(s),
            Some(_) => {}
            None => {
                let known: Vec<&str> = rampart_compliance::standards()
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect();
                eprintln!(
                    "error: unknown standard `{id}`; expected all or one of: {}",
                    known.join(", ")
                );
                return Ok(2);
            }
        }
    }

    // Configuration and checks: every check mapped to a selected standard runs, unless
    // the configuration or --disable turns it off.
    let cwd = std::env::current_dir().context("cannot determine the current directory")?;
    let config = match crate::run::load_config(args.config.as_ref(), args.no_config, &cwd)? {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            return Ok(2);
        }
    };
    for id in &args.disable {
        if id != "all" && rampart_checks::find(id).is_none() {
            eprintln!("error: unknown check `{id}` in --disable; `rampart checks` lists them");
            return Ok(2);
        }
    }
    let prefixes: BTreeSet<String> = selected.iter().map(|s| format!("{}:", s.id)).collect();
    let mapped: Vec<String> = rampart_checks::all()
        .iter()
        .filter(|c| {
            c.meta
                .controls
                .iter()
                .any(|r| prefixes.iter().any(|p| r.starts_with(p.as_str())))
        })
        .filter(|c| config.checks.get(c.meta.id).and_then(|s| s.enabled) != Some(false))
        .map(|c| c.meta.id.to_string())
        .collect();
    let mut enabled = config.enabled_checks(&mapped, &args.disable);
    if let Some(v) = args.kubernetes_version {
        for e in &mut enabled {
            e.params.set_kubernetes_version(&e.check.meta, v);
        }
    }

    // Scan
    let mut excludes = args.exclude.clone();
    excludes.extend(config.ignore_paths.iter().cloned());
    let loaded = scan::read_paths(&args.paths, &excludes, args.max_file_size, false);
    let mut findings = rampart_checks::run(&enabled, &loaded.objects);
    let notes = rampart_config::policy::apply(&loaded.objects, &mut findings, &config, None, Date::today());
    let mut diagnostics = loaded.diagnostics;
    diagnostics.extend(notes);
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .map(|d| d.to_string().trim_start_matches("error: ").to_string())
        .collect();
    for d in &diagnostics {
        eprintln!("{d}");
    }

    // Score
    let ran: Vec<&'static rampart_checks::Check> = enabled.iter().map(|e| e.check).collect();
    let mut node_items = Vec::new();
    let mut errors = errors;
    for p in &args.node_report {
        match read_node_report(p) {
            Ok(items) => node_items.extend(items),
            Err(e) => {
                eprintln!("error: {e}");
                errors.push(e);
            }
        }
    }
    let results: Vec<StandardResult<'_>> = selected
        .iter()
        .map(|s| {
            let mut r = rampart_compliance::evaluate(s, &ran, &loaded.objects, &findings);
            if s.id == rampart_node::CATALOG && !node_items.is_empty() {
                r.apply_node_items(s, &node_items);
            }
            r
        })
        .collect();
    let r = ComplianceReport {
        tool_version: env!("CARGO_PKG_VERSION"),
        results: &results,
        errors: &errors,
    };
    let out = match args.format {
        ComplianceFormat::Text => report::text(&r, args.verbose),
        ComplianceFormat::Json => report::json(&r),
        ComplianceFormat::Markdown => report::markdown(&r),
        ComplianceFormat::Csv => report::csv(&r),
        ComplianceFormat::Html => report::html(&r),
        ComplianceFormat::Junit => report::junit(&r),
    };
    write_out(args, &out)?;

    if !errors.is_empty() {
        return Ok(2);
    }
    if let Some(min) = args.fail_under {
        let mut below = false;
        for s in &results {
            match s.percent {
                Some(p) if p + 1e-9 < min => {
                    eprintln!("{}: score {p:.1}% is below --fail-under {min}%", s.id);
                    below = true;
                }
                None => {
                    eprintln!(
                        "{}: no automated control was assessed, so the score cannot reach --fail-under {min}%",
                        s.id
                    );
                    below = true;
                }
                Some(_) => {}
            }
        }
        return Ok(u8::from(below));
    }
    Ok(0)
}

/// The node controls' results in a `rampart node --format json` report.
fn read_node_report(
    path: &std::path::Path,
) -> std::result::Result<Vec<rampart_compliance::NodeItem>, String> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Report {
        schema_version: String,
        benchmark: String,
        node: String,
        results: Vec<Item>,
    }
    #[derive(serde::Deserialize)]
    struct Item {
        id: String,
        status: String,
        #[serde(default)]
        evidence: Vec<EvidenceIn>,
        #[serde(default)]
        remediation: String,
        exception: Option<Accepted>,
    }
    #[derive(serde::Deserialize)]
    struct EvidenceIn {
        found: String,
        file: Option<String>,
        line: Option<u32>,
    }
    #[derive(serde::Deserialize)]
    struct Accepted {
        reason: String,
        source: String,
        expires: Option<String>,
        ticket: Option<String>,
    }
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read node report {name}: {e}"))?;
    let r: Report = serde_json::from_str(&text)
        .map_err(|e| format!("{name}:{}: not a rampart node JSON report: {e}", e.line()))?;
    if r.schema_version.split('.').next() != Some("1") || r.benchmark != rampart_node::BENCHMARK {
        return Err(format!(
            "{name}: a node report of schema {} for {}; this rampart reads schema 1.x reports for {}",
            r.schema_version,
            r.benchmark,
            rampart_node::BENCHMARK
        ));
    }
    Ok(r.results
        .into_iter()
        .map(|i| rampart_compliance::NodeItem {
            control: i.id,
            node: r.node.clone(),
            status: i.status,
            found: i
                .evidence
                .into_iter()
                .map(|e| (e.found, e.file, e.line))
                .collect(),
            remediation: i.remediation,
            accepted: i.exception.map(|x| rampart_checks::Suppression {
                kind: rampart_checks::SuppressionKind::Exception,
                reason: x.reason,
                source: x.source,
                expires: x.expires,
                ticket: x.ticket,
            }),
        })
        .collect())
}
