//! `rampart checks` and `rampart explain`: the check metadata rendered for people and
//! machines. docs/checks.md is `rampart checks --format markdown`.

use std::fmt::Write as _;

use rampart_checks::{Check, CheckMeta, ParamDefault};

fn param_default(d: &ParamDefault) -> String {
    match d {
        ParamDefault::Bool(b) => b.to_string(),
        ParamDefault::Int(i) => i.to_string(),
        ParamDefault::Strings(s) => format!(
            "[{}]",
            s.iter()
                .map(|x| format!("\"{x}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ParamDefault::Version(v) => format!("\"{v}\""),
    }
}

fn target(m: &CheckMeta) -> String {
    match m.target {
        rampart_checks::Target::Workloads => "workloads (objects with a pod spec)".into(),
        rampart_checks::Target::Kinds(k) => k.join(", "),
        rampart_checks::Target::Any => "all objects".into(),
    }
}

pub fn list_text(checks: &[&Check]) -> String {
    let w = checks.iter().map(|c| c.meta.id.len()).max().unwrap_or(10);
    let mut out = String::new();
    for c in checks {
        let m = &c.meta;
        let _ = writeln!(
            out,
            "{:<w$}  {:<8}  {:<12}  {}{}",
            m.id,
            m.severity,
            m.category,
            m.title,
            if m.enabled_by_default {
                ""
            } else {
                "  (off by default)"
            }
        );
    }
    let _ = writeln!(
        out,
        "\n{} checks. `rampart explain <id>` describes one.",
        checks.len()
    );
    out
}

pub fn list_json(checks: &[&Check]) -> String {
    let v: Vec<&CheckMeta> = checks.iter().map(|c| &c.meta).collect();
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

pub fn explain_text(m: &CheckMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", m.id, m.title);
    let _ = writeln!(
        out,
        "severity: {}   category: {}   enabled by default: {}",
        m.severity,
        m.category,
        if m.enabled_by_default { "yes" } else { "no" }
    );
    let _ = writeln!(out, "applies to: {}", target(m));
    let _ = writeln!(out, "\nWhat it finds\n  {}", m.finds);
    let _ = writeln!(out, "\nWhy it matters\n  {}", m.why);
    let _ = writeln!(out, "\nHow to fix\n  {}\n", m.remediation);
    for l in m.example.lines() {
        let _ = writeln!(out, "    {l}");
    }
    if !m.params.is_empty() {
        let _ = writeln!(
            out,
            "\nParameters (set under checks.{}.params in .rampart.yaml)",
            m.id
        );
        for p in m.params {
            let _ = writeln!(
                out,
                "  {} ({}): {}\n    default: {}",
                p.name,
                p.default.type_name(),
                p.description,
                param_default(&p.default)
            );
        }
    }
    if !m.references.is_empty() {
        let _ = writeln!(out, "\nReferences");
        for r in m.references {
            let _ = writeln!(out, "  {r}");
        }
    }
    if !m.controls.is_empty() {
        let _ = writeln!(out, "\nCompliance controls: {}", m.controls.join(", "));
    }
    if !m.equivalents.is_empty() {
        let _ = writeln!(
            out,
            "Equivalent checks in other tools: {}",
            m.equivalents.join(", ")
        );
    }
    if !m.aliases.is_empty() {
        let _ = writeln!(out, "Former ids: {}", m.aliases.join(", "));
    }
    let _ = writeln!(
        out,
        "\nSuppress on one object with the annotation\n  ignore-check.rampart.dev/{}: \"<why this is acceptable>\"",
        m.id
    );
    out
}

fn explain_markdown(out: &mut String, m: &CheckMeta) {
    let _ = writeln!(out, "## `{}`\n\n**{}**\n", m.id, m.title);
    let _ = writeln!(
        out,
        "| severity | category | enabled by default | applies to |\n|---|---|---|---|\n| {} | {} | {} | {} |\n",
        m.severity,
        m.category,
        if m.enabled_by_default { "yes" } else { "no" },
        target(m)
    );
    let _ = writeln!(out, "**What it finds.** {}\n", m.finds);
    let _ = writeln!(out, "**Why it matters.** {}\n", m.why);
    let _ = writeln!(
        out,
        "**How to fix.** {}\n\n```yaml\n{}```\n",
        m.remediation, m.example
    );
    if !m.params.is_empty() {
        let _ = writeln!(
            out,
            "**Parameters** (under `checks.{}.params` in `.rampart.yaml`):\n",
            m.id
        );
        for p in m.params {
            let _ = writeln!(
                out,
                "- `{}` ({}): {} Default: `{}`.",
                p.name,
                p.default.type_name(),
                p.description,
                param_default(&p.default)
            );
        }
        out.push('\n');
    }
    if !m.references.is_empty() {
        let _ = writeln!(
            out,
            "**References:** {}\n",
            m.references
                .iter()
                .map(|r| format!("<{r}>"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !m.controls.is_empty() {
        let _ = writeln!(
            out,
            "**Compliance controls:** {}\n",
            m.controls
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !m.equivalents.is_empty() {
        let _ = writeln!(
            out,
            "**Equivalent checks:** {}\n",
            m.equivalents
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !m.aliases.is_empty() {
        let _ = writeln!(out, "**Former ids:** {}\n", m.aliases.join(", "));
    }
}

pub fn explain_markdown_one(m: &CheckMeta) -> String {
    let mut out = String::new();
    explain_markdown(&mut out, m);
    out
}

pub fn list_markdown(checks: &[&Check]) -> String {
    let mut out = String::from(
        "# Rampart checks\n\n<!-- Generated by `rampart checks --format markdown`; do not edit by hand. -->\n\n",
    );
    let _ = writeln!(
        out,
        "{} checks. Each can be enabled, disabled, re-rated and tuned in `.rampart.yaml` (see [configuration](configuration.md)).\n",
        checks.len()
    );
    out.push_str("| id | severity | category | title | default |\n|---|---|---|---|---|\n");
    for c in checks {
        let m = &c.meta;
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} | {} | {} |",
            m.id,
            m.id,
            m.severity,
            m.category,
            m.title,
            if m.enabled_by_default { "on" } else { "off" }
        );
    }
    out.push('\n');
    for c in checks {
        explain_markdown(&mut out, &c.meta);
    }
    out
}
