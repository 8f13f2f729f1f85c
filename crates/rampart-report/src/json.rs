//! The JSON report: a public, versioned contract documented in docs/json-output.md.
//!
//! The document is serialized straight from the scan's data through borrowed views, not
//! built as a `serde_json::Value` tree first: a scan of 50,000 objects has hundreds of
//! thousands of findings, and a tree of them cost more memory than the objects themselves.

use std::collections::BTreeMap;

use foldhash::HashMap;
use std::io::{self, Write};

use rampart_checks::{Category, Finding, Severity, Suppression};
use rampart_model::{Diagnostic, Level};
use rayon::prelude::*;
use serde::Serialize;
use serde::ser::Serializer;

use crate::{NotEvaluated, Report};

/// Bumped on any incompatible change to the JSON report.
pub const JSON_SCHEMA_VERSION: &str = "1.0";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Doc<'a> {
    schema_version: &'static str,
    tool: Tool<'a>,
    findings: Findings<'a>,
    diagnostics: Diagnostics<'a>,
    summary: SummaryOut<'a>,
    result: ResultOut,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

/// Every finding, serialized one at a time.
struct Findings<'a>(&'a Report<'a>);

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        s.collect_seq(r.findings.iter().map(|f| FindingOut::new(r, f)))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingOut<'a> {
    check: &'a str,
    title: Option<&'static str>,
    severity: Severity,
    category: Option<Category>,
    message: &'a str,
    file: &'a str,
    line: u32,
    column: u32,
    object: ObjectOut<'a>,
    container: Option<&'a str>,
    path: &'a str,
    fingerprint: &'a str,
    remediation: Option<&'static str>,
    suppressed: Option<&'a Suppression>,
    in_baseline: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectOut<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

impl<'a> FindingOut<'a> {
    fn new(r: &'a Report<'a>, f: &'a Finding) -> FindingOut<'a> {
        let o = &r.objects[f.object];
        let meta = r.meta(f.check);
        FindingOut {
            check: f.check,
            title: meta.map(|m| m.title),
            severity: f.severity,
            category: meta.map(|m| m.category),
            message: &f.message,
            file: &o.source.name,
            line: f.pos.line,
            column: f.pos.col,
            object: ObjectOut {
                api_version: &o.api_version,
                kind: &o.kind,
                namespace: o.namespace.as_deref(),
                name: &o.name,
            },
            container: f.container.as_deref(),
            path: &f.path,
            fingerprint: &f.fingerprint,
            remediation: meta.map(|m| m.remediation),
            suppressed: f.suppressed.as_deref(),
            in_baseline: f.in_baseline,
        }
    }
}

struct Diagnostics<'a>(&'a [Diagnostic]);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|d| DiagnosticOut {
            level: match d.level {
                Level::Error => "error",
                Level::Warning => "warning",
            },
            file: &d.file,
            line: d.pos.map(|p| p.line),
            column: d.pos.map(|p| p.col),
            message: &d.message,
        }))
    }
}

#[derive(Serialize)]
struct DiagnosticOut<'a> {
    level: &'static str,
    file: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SummaryOut<'a> {
    files: FilesOut<'a>,
    documents_not_kubernetes: usize,
    objects: ObjectsOut<'a>,
    not_evaluated: NotEvaluatedOut<'a>,
    findings: FindingCounts,
    errors: usize,
    warnings: usize,
}

#[derive(Serialize)]
struct FilesOut<'a> {
    read: usize,
    skipped: &'a BTreeMap<String, usize>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ObjectsOut<'a> {
    total: usize,
    by_kind: &'a BTreeMap<String, usize>,
}

struct NotEvaluatedOut<'a>(&'a [NotEvaluated]);

impl Serialize for NotEvaluatedOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|n| NotEvaluatedItem {
            file: &n.file,
            line: n.pos.line,
            object: &n.object,
            reason: &n.reason,
        }))
    }
}

#[derive(Serialize)]
struct NotEvaluatedItem<'a> {
    file: &'a str,
    line: u32,
    object: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingCounts {
    total: usize,
    by_severity: BTreeMap<&'static str, usize>,
    suppressed: usize,
    in_baseline: usize,
    counted: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultOut {
    fail_on: Severity,
    failing: usize,
    passed: bool,
}

/// Findings are rendered in parallel in chunks of this many, and written in order.
const CHUNK: usize = 1024;
/// Chunks rendered before they are written: what is held in memory at once.
const BATCH: usize = 16;

/// `value` as pretty JSON whose lines after the first are indented `level` steps, so it can
/// be placed at that depth of an enclosing pretty document. JSON strings never hold a raw
/// newline, so every newline of the text is a line break of the layout.
fn pretty_at(value: &impl Serialize, level: usize) -> serde_json::Result<Vec<u8>> {
    let text = serde_json::to_vec_pretty(value)?;
    if level == 0 {
        return Ok(text);
    }
    let pad = "  ".repeat(level);
    let mut out = Vec::with_capacity(text.len() + text.len() / 4);
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
            out.extend_from_slice(pad.as_bytes());
        }
        out.extend_from_slice(line);
    }
    Ok(out)
}

/// The parts of a finding that depend only on its check, already in JSON: the same text
/// is written for every finding of the check.
struct CheckJson {
    title: String,
    category: String,
    remediation: String,
}

fn json_text(v: &impl Serialize) -> serde_json::Result<String> {
    serde_json::to_string(v)
}

fn check_json(r: &Report<'_>) -> serde_json::Result<HashMap<&'static str, CheckJson>> {
    let mut out = HashMap::default();
    for f in r.findings {
        if out.contains_key(f.check) {
            continue;
        }
        let meta = r.meta(f.check);
        out.insert(
            f.check,
            CheckJson {
                title: json_text(&meta.map(|m| m.title))?,
                category: json_text(&meta.map(|m| m.category))?,
                remediation: json_text(&meta.map(|m| m.remediation))?,
            },
        );
    }
    Ok(out)
}

/// A JSON string as serde_json writes it. Most strings of a report need no escaping
/// (serde_json escapes only `"`, `\\` and control characters): those are copied whole.
fn string(buf: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        buf.reserve(s.len() + 2);
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
        return Ok(());
    }
    serde_json::to_writer(&mut *buf, s)
}

fn opt_string(buf: &mut Vec<u8>, s: Option<&str>) -> serde_json::Result<()> {
    if let Some(s) = s {
        return string(buf, s);
    }
    buf.extend_from_slice(b"null");
    Ok(())
}

/// A number in decimal, as serde_json writes it.
fn number(buf: &mut Vec<u8>, n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// The parts of a finding that depend only on its object, already in JSON: the findings
/// of an object come one after another, so they are rendered once per object.
#[derive(Default)]
struct ObjectJson {
    index: Option<usize>,
    file: Vec<u8>,
    object: Vec<u8>,
}

impl ObjectJson {
    fn of(&mut self, r: &Report<'_>, index: usize) -> serde_json::Result<&ObjectJson> {
        if self.index != Some(index) {
            const O: &str = ",\n        ";
            let o = &r.objects[index];
            self.file.clear();
            string(&mut self.file, &o.source.name)?;
            let buf = &mut self.object;
            buf.clear();
            field(buf, "{\n        ", "apiVersion");
            string(buf, &o.api_version)?;
            field(buf, O, "kind");
            string(buf, &o.kind)?;
            field(buf, O, "namespace");
            opt_string(buf, o.namespace.as_deref())?;
            field(buf, O, "name");
            string(buf, &o.name)?;
            buf.extend_from_slice(b"\n      }");
            self.index = Some(index);
        }
        Ok(self)
    }
}

fn field(buf: &mut Vec<u8>, indent: &str, name: &str) {
    buf.extend_from_slice(indent.as_bytes());
    buf.push(b'"');
    buf.extend_from_slice(name.as_bytes());
    buf.extend_from_slice(b"\": ");
}

/// One finding as `serde_json::to_writer_pretty` writes a [`FindingOut`] at depth 2 of
/// the document, without building it: the check's texts come escaped from `checks`, the
/// object's from `object`.
fn finding_json(
    buf: &mut Vec<u8>,
    r: &Report<'_>,
    checks: &HashMap<&'static str, CheckJson>,
    object: &mut ObjectJson,
    f: &Finding,
) -> serde_json::Result<()> {
    const F: &str = ",\n      ";
    let c = &checks[f.check];
    let o = object.of(r, f.object)?;
    field(buf, "{\n      ", "check");
    string(buf, f.check)?;
    field(buf, F, "title");
    buf.extend_from_slice(c.title.as_bytes());
    field(buf, F, "severity");
    buf.push(b'"');
    buf.extend_from_slice(f.severity.as_str().as_bytes());
    buf.push(b'"');
    field(buf, F, "category");
    buf.extend_from_slice(c.category.as_bytes());
    field(buf, F, "message");
    string(buf, &f.message)?;
    field(buf, F, "file");
    buf.extend_from_slice(&o.file);
    field(buf, F, "line");
    number(buf, f.pos.line);
    field(buf, F, "column");
    number(buf, f.pos.col);
    field(buf, F, "object");
    buf.extend_from_slice(&o.object);
    field(buf, F, "container");
    opt_string(buf, f.container.as_deref())?;
    field(buf, F, "path");
    string(buf, &f.path)?;
    field(buf, F, "fingerprint");
    string(buf, &f.fingerprint)?;
    field(buf, F, "remediation");
    buf.extend_from_slice(c.remediation.as_bytes());
    field(buf, F, "suppressed");
    match &f.suppressed {
        Some(sup) => buf.extend_from_slice(&pretty_at(sup, 3)?),
        None => buf.extend_from_slice(b"null"),
    }
    field(buf, F, "inBaseline");
    buf.extend_from_slice(if f.in_baseline { b"true" } else { b"false" });
    buf.extend_from_slice(b"\n    }");
    Ok(())
}

/// Renders one batch of findings, its chunks in parallel. `first` is true for the batch
/// that opens the array.
fn render_batch(
    r: &Report<'_>,
    checks: &HashMap<&'static str, CheckJson>,
    batch: &[Finding],
    first: bool,
) -> serde_json::Result<Vec<Vec<u8>>> {
    batch
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, chunk)| {
            let mut buf = Vec::with_capacity(chunk.len() * 1024);
            let mut object = ObjectJson::default();
            for (i, f) in chunk.iter().enumerate() {
                let opens = first && c == 0 && i == 0;
                buf.extend_from_slice(if opens { b"\n    " } else { b",\n    " });
                finding_json(&mut buf, r, checks, &mut object, f)?;
            }
            Ok(buf)
        })
        .collect()
}

/// The `findings` array at depth 1. Batches of chunks are rendered on every core while the
/// previous batch is written, so a large report is never held in memory whole.
fn write_findings(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    if r.findings.is_empty() {
        return out.write_all(b"[]");
    }
    let checks = check_json(r)?;
    out.write_all(b"[")?;
    let batches: Vec<&[Finding]> = r.findings.chunks(CHUNK * BATCH).collect();
    let mut current = render_batch(r, &checks, batches[0], true)?;
    for k in 1..=batches.len() {
        let mut next = None;
        let mut written = Ok(());
        rayon::in_place_scope(|s| {
            if let Some(batch) = batches.get(k) {
                let next = &mut next;
                let checks = &checks;
                s.spawn(move |_| *next = Some(render_batch(r, checks, batch, false)));
            }
            written = current.iter().try_for_each(|part| out.write_all(part));
        });
        written?;
        match next {
            Some(rendered) => current = rendered?,
            None => break,
        }
    }
    out.write_all(b"\n  ]")
}

/// Writes the report as pretty JSON with a trailing newline: the same bytes
/// `serde_json::to_writer_pretty` writes for the whole document, with the findings
/// rendered on every core.
pub fn write(r: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    /// A member of the top-level object after the first, at depth 1.
    fn part(out: &mut dyn Write, name: &str, value: &impl Serialize) -> io::Result<()> {
        write!(out, ",\n  \"{name}\": ")?;
        out.write_all(&pretty_at(value, 1)?)
    }
    let doc = doc(r);
    out.write_all(b"{\n  \"schemaVersion\": ")?;
    out.write_all(&pretty_at(&doc.schema_version, 1)?)?;
    part(out, "tool", &doc.tool)?;
    out.write_all(b",\n  \"findings\": ")?;
    write_findings(r, out)?;
    part(out, "diagnostics", &doc.diagnostics)?;
    part(out, "summary", &doc.summary)?;
    part(out, "result", &doc.result)?;
    out.write_all(b"\n}\n")
}

fn doc<'a>(r: &'a Report<'a>) -> Doc<'a> {
    let mut by_severity: BTreeMap<&'static str, usize> =
        Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    let (mut suppressed, mut in_baseline, mut counted) = (0, 0, 0);
    for f in r.findings {
        if f.suppressed.is_some() {
            suppressed += 1;
        } else if f.in_baseline {
            in_baseline += 1;
        } else {
            counted += 1;
            *by_severity.entry(f.severity.as_str()).or_default() += 1;
        }
    }
    let errors = r.diagnostics.iter().filter(|d| d.level == Level::Error).count();
    let failing = r.failing().count();
    let s = r.summary;
    Doc {
        schema_version: JSON_SCHEMA_VERSION,
        tool: Tool {
            name: "rampart",
            version: r.tool_version,
        },
        findings: Findings(r),
        diagnostics: Diagnostics(r.diagnostics),
        summary: SummaryOut {
            files: FilesOut {
                read: s.files_read,
                skipped: &s.files_skipped,
            },
            documents_not_kubernetes: s.documents_not_kubernetes,
            objects: ObjectsOut {
                total: r.objects.len(),
                by_kind: &s.objects_by_kind,
            },
            not_evaluated: NotEvaluatedOut(&s.not_evaluated),
            findings: FindingCounts {
                total: r.findings.len(),
                by_severity,
                suppressed,
                in_baseline,
                counted,
            },
            errors,
            warnings: r.diagnostics.len() - errors,
        },
        result: ResultOut {
            fail_on: r.fail_on,
            failing,
            passed: failing == 0 && errors == 0,
        },
    }
}

/// Renders the report as pretty JSON with a trailing newline.
pub fn render(r: &Report<'_>) -> String {
    let mut out = Vec::new();
    // Writing to memory fails only if serialization does, and every field here is a
    // string, number or map with string keys.
    let _ = write(r, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Arc;

    use rampart_model::{Limits, Source, parse_source};

    use super::*;
    use crate::Summary;

    /// Strings and numbers come out as serde_json writes them, escaped or not.
    #[test]
    fn strings_and_numbers_as_serde_json_writes_them() {
        let texts = [
            "",
            "plain",
            "with \"quotes\"",
            "back\\slash",
            "tab\there",
            "new\nline",
            "\u{0}\u{1f}",
            "\u{7f} del",
            "caf\u{e9} \u{1f600}",
            "</script>",
            "a/b",
            "\u{2028}",
        ];
        for t in texts {
            let mut buf = Vec::new();
            string(&mut buf, t).unwrap();
            assert_eq!(buf, serde_json::to_vec(t).unwrap(), "{t:?}");
        }
        for n in [0, 1, 9, 10, 99, 100, 12_345, u32::MAX] {
            let mut buf = Vec::new();
            number(&mut buf, n);
            assert_eq!(buf, n.to_string().into_bytes());
        }
    }

    /// The parallel writer produces the bytes of serializing the whole document at once,
    /// with no findings, a few, and more than one batch of chunks.
    #[test]
    fn parallel_findings_match_the_whole_document() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: \"n\\\"s\"\nspec:\n  hostNetwork: true\n  containers:\n    - name: c\n      image: x\n      securityContext:\n        privileged: true\n";
        let source = Arc::new(Source::new("dir/pod \"a\".yaml".into(), Some(text.into())));
        let objects = parse_source(&source, &Limits::default()).objects;
        let checks = rampart_checks::all()
            .iter()
            .map(|c| rampart_checks::Enabled {
                check: c,
                severity: c.meta.severity,
                params: rampart_checks::Params::defaults(&c.meta),
            })
            .collect::<Vec<_>>();
        let base = rampart_checks::run(&checks, &objects);
        assert!(base.len() > 3);
        let summary = Summary::default();
        let uris = HashMap::new();
        for n in [0, 3, CHUNK * BATCH + 5] {
            let findings: Vec<Finding> = base
                .iter()
                .cycle()
                .take(n)
                .enumerate()
                .map(|(i, f)| Finding {
                    message: format!("{} \u{2014} #{i}\n\"quoted\"", f.message),
                    suppressed: (i % 7 == 3).then(|| {
                        Box::new(Suppression {
                            kind: rampart_checks::SuppressionKind::Exception,
                            reason: "the \"CNI\" needs it".into(),
                            source: ".rampart.yaml:4".into(),
                            expires: (i % 2 == 0).then(|| "2030-01-01".into()),
                            ticket: None,
                        })
                    }),
                    in_baseline: i % 5 == 1,
                    ..f.clone()
                })
                .collect();
            let report = Report {
                tool_version: "9.9.9",
                objects: &objects,
                findings: &findings,
                checks: &checks,
                diagnostics: &[],
                summary: &summary,
                fail_on: Severity::Low,
                sarif_uris: &uris,
            };
            let mut fast = Vec::new();
            write(&report, &mut fast).unwrap();
            let mut whole = serde_json::to_vec_pretty(&doc(&report)).unwrap();
            whole.push(b'\n');
            assert!(fast == whole, "{n} findings: the outputs differ");
        }
    }
}
