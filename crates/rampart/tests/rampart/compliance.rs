//! `rampart compliance` through the real binary: statuses, evidence with file:line,
//! exceptions, scores, formats and exit codes.

use crate::common::{json, run_in, stderr, stdout, tempdir, write};
use serde_json::Value;

const PRIVILEGED: &str = "apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: cni-node
  namespace: kube-system
spec:
  selector:
    matchLabels: {app: cni}
  template:
    metadata:
      labels: {app: cni}
    spec:
      containers:
        - name: cni
          image: registry.example/cni:1.0
          securityContext:
            privileged: true
";

const ROOT_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: legacy
  namespace: shop
spec:
  hostNetwork: true
  containers:
    - name: app
      image: registry.example/legacy:1.0
";

const CONFIG: &str = "exceptions:
  - checks: [privileged-container, pss-privileged]
    kind: DaemonSet
    namespace: kube-system
    name: cni-node
    reason: The CNI programs the node's network.
    expires: 2999-12-31
    ticket: SEC-1
";

fn standard<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["standards"]
        .as_array()
        .expect("standards")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("standard {id} in the report"))
}

fn control<'a>(std: &'a Value, id: &str) -> &'a Value {
    std["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("control {id}"))
}

#[test]
fn list_shows_every_standard_with_counts() {
    let d = tempdir();
    let o = run_in(d.path(), &["compliance", "--list", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows = json(&o);
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for want in [
        "cis-kubernetes-1.12",
        "nsa-cisa-1.2",
        "pss-baseline",
        "pss-restricted",
        "nist-800-190",
        "nist-800-53-r5",
        "pci-dss-4.0",
        "hipaa-security",
        "soc2",
        "mitre-attack-containers",
    ] {
        assert!(ids.contains(&want), "{want} in {ids:?}");
    }
    for r in rows.as_array().unwrap() {
        let sum =
            r["automated"].as_u64().unwrap() + r["manual"].as_u64().unwrap() + r["node"].as_u64().unwrap();
        assert_eq!(sum, r["controls"].as_u64().unwrap(), "{r}");
    }
    let cis = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "cis-kubernetes-1.12")
        .unwrap();
    assert!(
        cis["node"].as_u64().unwrap() > 50,
        "CIS sections 1-4 are node controls: {cis}"
    );
    let text = stdout(&run_in(d.path(), &["compliance", "--list"]));
    assert!(text.contains("pss-restricted"), "{text}");
}

#[test]
fn controls_fail_pass_and_pass_with_exception_with_evidence() {
    let d = tempdir();
    write(d.path(), "cni.yaml", PRIVILEGED);
    write(d.path(), "pod.yaml", ROOT_POD);
    write(d.path(), ".rampart.yaml", CONFIG);
    let o = run_in(
        d.path(),
        &[
            "compliance",
            ".",
            "--standard",
            "pss-baseline",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json(&o);
    let pss = standard(&doc, "pss-baseline");

    // hostNetwork on the pod fails hostNamespaces, with the file and line of the field.
    let host = control(pss, "hostNamespaces");
    assert_eq!(host["status"], "fail", "{host}");
    let f = &host["failures"].as_array().unwrap()[0];
    assert_eq!(f["file"], "pod.yaml");
    assert_eq!(f["line"], 7);
    assert_eq!(f["object"], "Pod shop/legacy");
    assert!(!host["remediation"].as_str().unwrap().is_empty());

    // The privileged DaemonSet is excepted: passed with an exception, which is listed.
    let privileged = control(pss, "privileged");
    assert_eq!(privileged["status"], "pass-with-exception", "{privileged}");
    assert!(privileged["failures"].as_array().unwrap().is_empty());
    let ex = &privileged["exceptions"].as_array().unwrap()[0];
    assert_eq!(ex["object"], "DaemonSet kube-system/cni-node");
    assert_eq!(ex["suppressed"]["reason"], "The CNI programs the node's network.");
    assert_eq!(ex["suppressed"]["expires"], "2999-12-31");
    let used = pss["exceptions"].as_array().unwrap();
    assert_eq!(used.len(), 1, "{used:?}");
    assert_eq!(used[0]["ticket"], "SEC-1");
    assert!(used[0]["source"].as_str().unwrap().starts_with(".rampart.yaml:"));
    assert!(
        used[0]["controls"]
            .as_array()
            .unwrap()
            .contains(&Value::from("privileged"))
    );

    // Nothing uses AppArmor: a pass.
    assert_eq!(control(pss, "appArmorProfile")["status"], "pass");

    // The score is passed / assessed over automated controls, per standard and section.
    let mut passed = 0;
    let mut assessed = 0;
    for c in pss["controls"].as_array().unwrap() {
        match c["status"].as_str().unwrap() {
            "pass" | "pass-with-exception" => {
                passed += 1;
                assessed += 1;
            }
            "fail" => assessed += 1,
            _ => {}
        }
    }
    assert_eq!(pss["score"]["passed"], passed);
    assert_eq!(pss["score"]["assessed"], assessed);
    let want = (f64::from(passed) * 1000.0 / f64::from(assessed)).round() / 10.0;
    assert!(
        (pss["percent"].as_f64().unwrap() - want).abs() < 1e-9,
        "{} vs {want}",
        pss["percent"]
    );
    assert_eq!(doc["summary"][0]["passed"], passed);
}

#[test]
fn not_applicable_not_assessed_and_node_controls() {
    let d = tempdir();
    write(d.path(), "pod.yaml", ROOT_POD);
    let o = run_in(
        d.path(),
        &[
            "compliance",
            "pod.yaml",
            "--no-config",
            "--standard",
            "cis-kubernetes-1.12",
            "--disable",
            "host-network",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json(&o);
    let cis = standard(&doc, "cis-kubernetes-1.12");
    // No RBAC objects in the scan: the cluster-admin control has nothing to judge.
    assert_eq!(control(cis, "5.1.1")["status"], "not-applicable");
    // Its only check was disabled.
    let hostnet = control(cis, "5.2.5");
    assert_eq!(hostnet["status"], "not-assessed", "{hostnet}");
    assert_eq!(hostnet["disabledChecks"], serde_json::json!(["host-network"]));
    // Node controls wait for the node benchmark.
    let node = control(cis, "1.2.1");
    assert_eq!(node["assessment"], "node");
    assert_eq!(node["status"], "not-assessed");
    assert!(node["guidance"].as_str().is_some_and(|g| !g.is_empty()));
}

#[test]
fn fail_under_gates_ci() {
    let d = tempdir();
    write(d.path(), "pod.yaml", ROOT_POD);
    let args = [
        "compliance",
        "pod.yaml",
        "--no-config",
        "--standard",
        "pss-baseline",
    ];
    let low = run_in(d.path(), &[&args[..], &["--fail-under", "100"]].concat());
    assert_eq!(low.status.code(), Some(1), "{}", stderr(&low));
    assert!(
        stderr(&low).contains("below --fail-under 100%"),
        "{}",
        stderr(&low)
    );
    let ok = run_in(d.path(), &[&args[..], &["--fail-under", "10"]].concat());
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let bad = run_in(d.path(), &[&args[..], &["--fail-under", "120"]].concat());
    assert_eq!(bad.status.code(), Some(2));
    let unknown = run_in(d.path(), &["compliance", "pod.yaml", "--standard", "iso-27001"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("unknown standard `iso-27001`"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn input_errors_exit_2_and_are_listed() {
    let d = tempdir();
    write(d.path(), "pod.yaml", ROOT_POD);
    write(d.path(), "broken.yaml", "kind: [unclosed\n");
    let o = run_in(
        d.path(),
        &[
            "compliance",
            ".",
            "--no-config",
            "--standard",
            "pss-baseline",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let doc = json(&o);
    assert!(
        doc["errors"][0]
            .as_str()
            .unwrap()
            .starts_with("broken.yaml:2:1: invalid YAML"),
        "{}",
        doc["errors"]
    );
    // The good file is still judged.
    assert_eq!(
        control(standard(&doc, "pss-baseline"), "hostNamespaces")["status"],
        "fail"
    );
}

#[test]
fn every_format_renders_the_same_results() {
    let d = tempdir();
    write(d.path(), "cni.yaml", PRIVILEGED);
    write(d.path(), "pod.yaml", ROOT_POD);
    write(d.path(), ".rampart.yaml", CONFIG);
    let base = [
        "compliance",
        ".",
        "--standard",
        "pss-baseline",
        "--standard",
        "nsa-cisa-1.2",
    ];
    let doc = json(&run_in(d.path(), &[&base[..], &["--format", "json"]].concat()));
    let total: usize = doc["standards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["controls"].as_array().unwrap().len())
        .sum();
    let fails: u64 = doc["summary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["counts"]["fail"].as_u64().unwrap_or(0))
        .sum();
    assert!(fails >= 2, "{}", doc["summary"]);

    let csv = stdout(&run_in(d.path(), &[&base[..], &["--format", "csv"]].concat()));
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "standard,control,section,title,assessment,status,checks,failures,exceptions,evidence,remediation"
    );
    // Quoted fields may contain commas but no newlines here: one line per control.
    assert_eq!(rows.len() - 1, total);
    assert!(
        rows.iter()
            .any(|r| r.starts_with("pss-baseline,hostNamespaces,") && r.contains(",fail,")),
        "{csv}"
    );

    let junit = stdout(&run_in(d.path(), &[&base[..], &["--format", "junit"]].concat()));
    assert_eq!(junit.matches("<testcase ").count(), total);
    assert_eq!(junit.matches("<failure ").count() as u64, fails);
    assert!(junit.contains(&format!(
        "<testsuites name=\"rampart compliance\" tests=\"{total}\" failures=\"{fails}\">"
    )));

    let md = stdout(&run_in(
        d.path(),
        &[&base[..], &["--format", "markdown"]].concat(),
    ));
    assert!(md.contains("| Standard | Score |"), "{md}");
    assert!(md.contains("### Exceptions"), "{md}");
    assert!(md.contains("The CNI programs the node's network."), "{md}");

    let text = stdout(&run_in(d.path(), &[&base[..], &["--format", "text"]].concat()));
    assert!(text.contains("FAIL hostNamespaces"), "{text}");
    assert!(
        text.contains("pod.yaml:7: Pod shop/legacy [host-network]"),
        "{text}"
    );
    assert!(text.contains("PASS-WITH-EXCEPTION privileged"), "{text}");
    assert!(
        text.contains("excepted: DaemonSet kube-system/cni-node"),
        "{text}"
    );

    let out = d.path().join("report.html");
    let o = run_in(
        d.path(),
        &[&base[..], &["--format", "html", "--output", "report.html"]].concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = std::fs::read_to_string(out).unwrap();
    for s in doc["summary"].as_array().unwrap() {
        let want = format!(
            "data-standard=\"{}\" data-percent=\"{:.1}\"",
            s["id"].as_str().unwrap(),
            s["percent"].as_f64().unwrap()
        );
        assert!(html.contains(&want), "{want}");
    }
    // Self-contained: nothing is fetched from the network.
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("src="),
        "the page loads nothing"
    );
}
