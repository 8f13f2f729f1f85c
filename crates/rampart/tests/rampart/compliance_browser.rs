//! The HTML compliance report in a real browser: headless Chromium (Debian's `chromium`
//! package) loads the page written by `rampart compliance --format html` for the bundled
//! examples, and a probe script measures what was laid out: every gauge and bar is drawn
//! with a size that follows its number, and the numbers are those of the JSON report.
//!
//! `RAMPART_CHROMIUM` names the browser binary (default: `chromium`).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Command;

use crate::common::{repo_root, run_in, stderr};
use serde_json::Value;

/// Appended to a copy of the report before `</body>`: measures the rendered page and
/// writes the measurements as JSON into `<pre id="probe">`, which `--dump-dom` prints.
const PROBE: &str = r"<script>
window.addEventListener('load', () => {
  const box = e => { const r = e.getBoundingClientRect(); return {w: r.width, h: r.height}; };
  const gauges = [...document.querySelectorAll('svg.gauge')].map(g => {
    const arcs = g.querySelectorAll('path');
    const dash = (arcs[1].getAttribute('stroke-dasharray') || '0 1').split(' ').map(Number);
    return {standard: g.dataset.standard, percent: g.dataset.percent,
            label: g.querySelector('text').textContent, size: box(g),
            filled: dash[0] / arcs[1].getTotalLength(), visible: getComputedStyle(g).display !== 'none'};
  });
  const charts = {};
  document.querySelectorAll('[data-chart]').forEach(c => {
    charts[c.dataset.chart] = [...c.querySelectorAll('g.bar')].map(b => ({
      label: b.dataset.label, value: Number(b.dataset.value),
      text: b.querySelector('.bar-value').textContent,
      width: b.querySelector('rect').getBoundingClientRect().width}));
  });
  const rows = [...document.querySelectorAll('tr[data-control]')].map(r => ({
    control: r.dataset.control, status: r.dataset.status, height: box(r).h}));
  const details = [...document.querySelectorAll('details')];
  const closed = details.filter(d => !d.open).length;
  window.dispatchEvent(new Event('beforeprint'));
  const openForPrint = details.filter(d => d.open).length;
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({gauges, charts, rows, details: details.length, closed,
    openForPrint, width: document.documentElement.scrollWidth, viewport: innerWidth,
    scripts: document.scripts.length, images: document.images.length});
  document.body.appendChild(out);
});
</script>";

fn chromium() -> String {
    std::env::var("RAMPART_CHROMIUM").unwrap_or_else(|_| "chromium".into())
}

/// Runs headless Chromium on a file with extra arguments; panics with its output on failure.
fn browse(page: &Path, profile: &Path, args: &[&str]) -> String {
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start `{}` ({e}); install Debian's chromium package or set RAMPART_CHROMIUM",
                chromium()
            )
        });
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The report for the bundled examples in `format`, with the repository's configuration
/// (which holds an exception, so the page shows one).
fn report(dir: &Path, format: &str) -> std::path::PathBuf {
    let out = dir.join(format!("report.{format}"));
    let o = run_in(
        &repo_root(),
        &[
            "compliance",
            "examples",
            "--standard",
            "all",
            "--format",
            format,
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    out
}

#[test]
fn html_report_renders_in_chromium_with_the_numbers_of_the_json_report() {
    let d = tempfile::tempdir().unwrap();
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(report(d.path(), "json")).unwrap()).unwrap();
    let html = std::fs::read_to_string(report(d.path(), "html")).unwrap();
    let page = d.path().join("probed.html");
    let probed = html.replacen("</body>", &format!("{PROBE}</body>"), 1);
    assert_ne!(probed, html, "the report has a </body>");
    std::fs::write(&page, probed).unwrap();

    let dom = browse(
        &page,
        &d.path().join("profile"),
        &["--dump-dom", "--virtual-time-budget=10000"],
    );
    let start = dom.find("<pre id=\"probe\">").expect("the probe ran") + "<pre id=\"probe\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let probe: Value = serde_json::from_str(&unescape(&dom[start..end])).unwrap();

    // One gauge per standard, drawn, showing the JSON score, its arc as long as the score.
    let summary = doc["summary"].as_array().unwrap();
    let gauges = probe["gauges"].as_array().unwrap();
    assert_eq!(gauges.len(), summary.len(), "{probe}");
    for s in summary {
        let id = s["id"].as_str().unwrap();
        let g = gauges
            .iter()
            .find(|g| g["standard"] == id)
            .unwrap_or_else(|| panic!("a gauge for {id}"));
        assert!(g["visible"].as_bool().unwrap());
        assert!(
            g["size"]["w"].as_f64().unwrap() > 50.0 && g["size"]["h"].as_f64().unwrap() > 30.0,
            "{g}"
        );
        if let Some(p) = s["percent"].as_f64() {
            assert_eq!(g["percent"], format!("{p:.1}"), "{id}");
            assert_eq!(g["label"], format!("{p:.1}%"), "{id}");
            let filled = g["filled"].as_f64().unwrap() * 100.0;
            assert!(
                (filled - p).abs() < 1.0,
                "{id}: arc {filled:.1}% for a score of {p}%"
            );
        } else {
            assert_eq!(g["percent"], "", "{id}");
            assert_eq!(g["label"], "n/a", "{id}");
            assert!(g["filled"].as_f64().unwrap() < 0.01, "{id}");
        }
    }

    // The charts count each distinct failing finding once, by namespace and by severity.
    let mut distinct = HashSet::new();
    for s in doc["standards"].as_array().unwrap() {
        for c in s["controls"].as_array().unwrap() {
            for e in c["failures"].as_array().into_iter().flatten() {
                distinct.insert((
                    e["check"].as_str().unwrap().to_string(),
                    e["file"].as_str().unwrap().to_string(),
                    e["line"].as_u64().unwrap(),
                    e["message"].as_str().unwrap().to_string(),
                    e["object"].as_str().unwrap().to_string(),
                    e["namespace"].as_str().unwrap_or("(no namespace)").to_string(),
                    e["severity"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    assert!(distinct.len() > 3, "the examples fail several controls");
    let mut by_ns: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_sev: BTreeMap<String, u64> = BTreeMap::new();
    for f in &distinct {
        *by_ns.entry(f.5.clone()).or_default() += 1;
        *by_sev.entry(f.6.clone()).or_default() += 1;
    }
    for (chart, want) in [
        ("failures-by-namespace", &by_ns),
        ("failures-by-severity", &by_sev),
    ] {
        let bars = probe["charts"][chart]
            .as_array()
            .unwrap_or_else(|| panic!("chart {chart}"));
        let got: BTreeMap<String, u64> = bars
            .iter()
            .map(|b| {
                (
                    b["label"].as_str().unwrap().to_string(),
                    b["value"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(&got, want, "{chart}");
        // Bars are drawn, labelled with their number, and as long as their share of the
        // longest.
        let max = bars
            .iter()
            .map(|b| b["value"].as_f64().unwrap())
            .fold(0.0, f64::max);
        let widest = bars
            .iter()
            .map(|b| b["width"].as_f64().unwrap())
            .fold(0.0, f64::max);
        assert!(widest > 100.0, "{chart}: {bars:?}");
        for b in bars {
            assert_eq!(b["text"].as_str().unwrap(), b["value"].to_string());
            let share = b["value"].as_f64().unwrap() / max;
            let drawn = b["width"].as_f64().unwrap() / widest;
            assert!((share - drawn).abs() < 0.02, "{chart}: {b}");
        }
    }

    // Every control of every standard is a row of the control tables, with its status.
    let rows = probe["rows"].as_array().unwrap();
    let controls: usize = doc["standards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["controls"].as_array().unwrap().len())
        .sum();
    assert_eq!(rows.len(), controls);
    let failing_rows = rows.iter().filter(|r| r["status"] == "fail").count() as u64;
    let failing: u64 = summary
        .iter()
        .map(|s| s["counts"]["fail"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(failing_rows, failing);
    assert!(rows.iter().all(|r| r["height"].as_f64().unwrap() > 10.0));

    // Evidence is folded away on screen and unfolded for printing; the page fits the
    // window's width and loads no images or scripts besides its own.
    assert!(probe["details"].as_u64().unwrap() > 0);
    assert_eq!(probe["closed"], probe["details"]);
    assert_eq!(probe["openForPrint"], probe["details"]);
    assert!(probe["width"].as_u64().unwrap() <= probe["viewport"].as_u64().unwrap());
    assert_eq!(probe["images"], 0);
    assert_eq!(probe["scripts"], 2, "the report's own script and the probe");
}

#[test]
fn html_report_screenshot_is_a_full_page_image() {
    let d = tempfile::tempdir().unwrap();
    let page = report(d.path(), "html");
    let shot = d.path().join("shot.png");
    browse(
        &page,
        &d.path().join("profile"),
        &[&format!("--screenshot={}", shot.display())],
    );
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: width and height, big-endian, at bytes 16..24; the window size set above.
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2000));
    // A blank page compresses to almost nothing; the report's text and charts do not.
    assert!(png.len() > 50_000, "{} bytes", png.len());
}
