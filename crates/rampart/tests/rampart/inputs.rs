//! Hostile and broken inputs: each gets a clear diagnostic naming the file, the other files
//! are still scanned, nothing panics.
#![allow(clippy::format_push_string, clippy::format_collect)]

use crate::common::*;

fn errors(r: &serde_json::Value) -> Vec<(String, Option<u64>, String)> {
    r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["level"] == "error")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_bad_input_is_reported_and_the_good_file_still_scanned() {
    let d = tempdir();
    let p = d.path();
    write(p, "good.yaml", PRIVILEGED_POD);
    std::fs::write(
        p.join("utf8.yaml"),
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: \xff\xfe\n",
    )
    .unwrap();
    std::fs::write(p.join("binary.yaml"), b"\x7fELF\x02\x01\x01\x00\x00\x00").unwrap();
    write(p, "empty.yaml", "");
    write(p, "comments.yaml", "# nothing here\n---\n");
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..12 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    write(p, "bomb.yaml", &bomb);
    write(
        p,
        "deep.yaml",
        &format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: deep}}\ndata: {}\n",
            "[".repeat(100_000)
        ),
    );
    write(
        p,
        "deep-block.yaml",
        &(0..5000)
            .map(|i| format!("{}- \n", "  ".repeat(i)))
            .collect::<String>(),
    );
    write(p, "bad.json", "{\"apiVersion\": \"v1\", \"kind\": \"Pod\",, }");
    let big = std::fs::File::create(p.join("huge.yaml")).unwrap();
    big.set_len(200 * 1024 * 1024).unwrap();
    write(p, "utf16.yaml", "");
    std::fs::write(p.join("utf16.yaml"), b"\xff\xfea\x00p\x00i\x00").unwrap();

    let o = run_in(
        p,
        &["scan", "--format", "json", "--enable", "privileged-container"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "no panic output: {}", stderr(&o));
    let r = json(&o);
    assert_eq!(
        findings_of(&r, "privileged-container").len(),
        1,
        "good.yaml still scanned"
    );
    let errs = errors(&r);
    let find = |f: &str| {
        errs.iter()
            .find(|e| e.0 == f)
            .unwrap_or_else(|| panic!("no error for {f}: {errs:?}"))
    };
    assert_eq!(find("utf8.yaml").1, Some(4));
    assert!(find("utf8.yaml").2.contains("invalid UTF-8"));
    assert!(find("binary.yaml").2.contains("binary"));
    assert!(find("bomb.yaml").2.contains("alias"));
    assert!(find("deep.yaml").2.contains("nesting"));
    assert!(find("deep-block.yaml").2.contains("nesting"));
    assert_eq!(find("bad.json").1, Some(1));
    assert!(find("huge.yaml").2.contains("limit"), "{:?}", find("huge.yaml"));
    assert!(find("utf16.yaml").2.contains("UTF-16"));
    assert_eq!(r["summary"]["files"]["skipped"]["empty"], 2, "{}", r["summary"]);
    assert!(
        errs.iter().all(|e| e.0 != "empty.yaml" && e.0 != "comments.yaml"),
        "empty files are skipped, not errors"
    );
}

#[test]
fn one_broken_document_does_not_hide_the_next() {
    let d = tempdir();
    let text = format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: broken\n---\n{PRIVILEGED_POD}");
    write(d.path(), "multi.yaml", &text);
    let o = run_in(
        d.path(),
        &["scan", "--format", "json", "--enable", "privileged-container"],
    );
    let r = json(&o);
    assert_eq!(o.status.code(), Some(2));
    let f = findings_of(&r, "privileged-container");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["line"], 15, "lines count from the start of the file");
}

#[test]
fn crlf_and_bom_are_handled() {
    let d = tempdir();
    let text = format!("\u{feff}{}", PRIVILEGED_POD.replace('\n', "\r\n"));
    write(d.path(), "win.yaml", &text);
    let r = json(&run_in(d.path(), &["scan", "--format", "json"]));
    assert!(errors(&r).is_empty());
    assert_eq!(findings_of(&r, "privileged-container")[0]["line"], 11);
}

#[test]
fn missing_path_is_an_input_error() {
    let d = tempdir();
    let o = run_in(d.path(), &["scan", "nope.yaml", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(errors(&json(&o))[0].2.contains("cannot read"));
}

#[test]
fn workload_without_pod_template_is_reported_as_not_evaluated() {
    let d = tempdir();
    write(
        d.path(),
        "rollout.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  workloadRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n",
    );
    let r = json(&run_in(d.path(), &["scan", "--format", "json"]));
    let ne = r["summary"]["notEvaluated"].as_array().unwrap();
    assert_eq!(ne.len(), 1);
    assert!(ne[0]["reason"].as_str().unwrap().contains("workloadRef"));
}

#[test]
fn argo_rollout_and_deployment_config_pod_specs_are_checked() {
    let d = tempdir();
    let tpl = "  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      hostNetwork: true\n      containers:\n        - name: x\n          image: registry.example.com/x:1\n";
    write(
        d.path(),
        "r.yaml",
        &format!("apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {{name: r}}\nspec:\n{tpl}"),
    );
    write(
        d.path(),
        "dc.yaml",
        &format!(
            "apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata: {{name: dc}}\nspec:\n{tpl}"
        ),
    );
    let r = json(&run_in(d.path(), &["scan", "--format", "json"]));
    let hn = findings_of(&r, "host-network");
    assert_eq!(hn.len(), 2, "{r}");
    assert!(hn.iter().all(|f| f["line"] == 9));
}

#[test]
fn the_whole_corpus_scans_without_input_errors() {
    let corpus = repo_root().join("../shared/corpus");
    assert!(
        corpus.is_dir(),
        "the shared corpus is expected beside the repository"
    );
    let d = tempdir();
    let o = run_in(
        d.path(),
        &[
            "scan",
            corpus.to_str().unwrap(),
            "--format",
            "json",
            "--enable",
            "all",
        ],
    );
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let r = json(&o);
    assert_eq!(errors(&r), Vec::<(String, Option<u64>, String)>::new());
    assert!(r["summary"]["files"]["read"].as_u64().unwrap() > 400);
    assert!(r["summary"]["objects"]["total"].as_u64().unwrap() > 700);
    assert!(!r["findings"].as_array().unwrap().is_empty());
    // Every finding points inside its file.
    for f in r["findings"].as_array().unwrap() {
        let text = std::fs::read_to_string(f["file"].as_str().unwrap()).unwrap();
        let line = f["line"].as_u64().unwrap() as usize;
        assert!(line >= 1 && line <= text.lines().count(), "{f}");
    }
}
