//! The command line, through the real binary: inputs, outputs, exit codes.

use crate::common::*;

#[test]
fn findings_point_at_the_line_and_fail_the_run() {
    let d = tempdir();
    write(d.path(), "pod.yaml", PRIVILEGED_POD);
    let o = run_in(
        d.path(),
        &["scan", "--format", "json", "--enable", "privileged-container"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = json(&o);
    let f = findings_of(&r, "privileged-container");
    assert_eq!(f.len(), 1);
    let f = f[0];
    assert_eq!(f["file"], "pod.yaml");
    assert_eq!(f["line"], 11);
    assert_eq!(f["column"], 9);
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["container"], "app");
    assert_eq!(f["object"]["kind"], "Pod");
    assert_eq!(f["object"]["namespace"], "apps");
    assert_eq!(f["object"]["name"], "bad");
    assert_eq!(f["object"]["apiVersion"], "v1");
    assert!(f["suppressed"].is_null());
    assert!(f["remediation"].as_str().unwrap().contains("privileged"));
    assert_eq!(r["schemaVersion"], "1.0");
    assert_eq!(r["summary"]["files"]["read"], 1);
    assert_eq!(r["summary"]["objects"]["byKind"]["Pod"], 1);
}

#[test]
fn text_output_shows_the_source_line_with_a_caret() {
    let d = tempdir();
    write(d.path(), "pod.yaml", PRIVILEGED_POD);
    let o = run_in(d.path(), &["scan", "pod.yaml"]);
    let out = stdout(&o);
    assert!(
        out.contains("critical[privileged-container]: container \"app\" runs privileged"),
        "{out}"
    );
    assert!(out.contains("--> pod.yaml:11:9"), "{out}");
    assert!(out.contains("11 |         privileged: true"), "{out}");
    assert!(out.contains("   |         ^^^^^^^^^^\n"), "{out}");
    assert!(out.contains("object: Pod apps/bad, container \"app\""), "{out}");
    assert!(out.contains("fix: "), "{out}");
    assert!(!out.contains('\x1b'), "no colours when not on a terminal");
    let o = run_in(d.path(), &["scan", "pod.yaml", "--color", "always"]);
    assert!(stdout(&o).contains('\x1b'));
}

#[test]
fn exit_codes_follow_fail_on() {
    let d = tempdir();
    write(d.path(), "d.yaml", HOST_NET_DEPLOY);
    let only = ["scan", "--disable", "memory-limits-missing"];
    let o = run_in(d.path(), &only);
    assert_eq!(o.status.code(), Some(1));
    let mut args = only.to_vec();
    args.extend(["--fail-on", "critical"]);
    assert_eq!(
        run_in(d.path(), &args).status.code(),
        Some(0),
        "host-network is high, not critical"
    );
    let mut args = only.to_vec();
    args.extend(["--fail-on", "never"]);
    assert_eq!(run_in(d.path(), &args).status.code(), Some(0));
}

#[test]
fn clean_input_exits_zero_and_empty_dir_too() {
    let d = tempdir();
    write(
        d.path(),
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: apps\ndata:\n  a: b\n",
    );
    let o = run_in(d.path(), &["scan", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(json(&o)["result"]["passed"], true);
}

#[test]
fn broken_file_is_an_error_but_others_are_scanned() {
    let d = tempdir();
    write(
        d.path(),
        "a-broken.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n",
    );
    write(d.path(), "b-pod.yaml", PRIVILEGED_POD);
    let o = run_in(d.path(), &["scan", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let r = json(&o);
    assert!(
        !findings_of(&r, "privileged-container").is_empty(),
        "the good file was still scanned"
    );
    let diags = r["diagnostics"].as_array().unwrap();
    let err = diags.iter().find(|d| d["level"] == "error").unwrap();
    assert_eq!(err["file"], "a-broken.yaml");
    assert!(err["line"].as_u64().unwrap() >= 3);
    assert_eq!(r["summary"]["errors"], 1);
}

#[test]
fn stdin_is_read_with_a_dash() {
    let d = tempdir();
    let o = bin()
        .current_dir(d.path())
        .args(["scan", "-", "--format", "json"])
        .write_stdin(PRIVILEGED_POD)
        .output()
        .unwrap();
    let r = json(&o);
    assert_eq!(findings_of(&r, "privileged-container")[0]["file"], "<stdin>");
}

#[test]
fn directories_are_walked_and_excludes_counted() {
    let d = tempdir();
    write(d.path(), "deploy/app/pod.yaml", PRIVILEGED_POD);
    write(
        d.path(),
        "deploy/app/pod.json",
        r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"}, "spec": {"hostNetwork": true, "containers": []}}"#,
    );
    write(d.path(), "vendor/x/pod.yml", PRIVILEGED_POD);
    write(d.path(), "deploy/README.md", "not scanned");
    write(d.path(), "deploy/values.yaml", "replicas: 3\nimage: nginx\n");
    let o = run_in(d.path(), &["scan", "--format", "json", "--exclude", "vendor"]);
    let r = json(&o);
    assert_eq!(r["summary"]["files"]["read"], 2, "{r}");
    assert_eq!(r["summary"]["files"]["skipped"]["excluded"], 1);
    assert_eq!(r["summary"]["files"]["skipped"]["not-kubernetes"], 1);
    assert_eq!(r["summary"]["documentsNotKubernetes"], 1);
    let hn = findings_of(&r, "host-network");
    assert_eq!(hn[0]["file"], "deploy/app/pod.json");
    assert_eq!(hn[0]["line"], 1);
}

#[test]
fn kind_list_items_are_objects() {
    let d = tempdir();
    write(
        d.path(),
        "list.yaml",
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: a}\n    spec:\n      hostNetwork: true\n      containers: []\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: s}\n",
    );
    let r = json(&run_in(d.path(), &["scan", "--format", "json"]));
    assert_eq!(r["summary"]["objects"]["total"], 2);
    assert_eq!(findings_of(&r, "host-network")[0]["line"], 8);
}

#[test]
fn several_formats_in_one_run() {
    let d = tempdir();
    write(d.path(), "pod.yaml", PRIVILEGED_POD);
    let o = run_in(
        d.path(),
        &[
            "scan",
            "pod.yaml",
            "--format",
            "text",
            "--format",
            "sarif=out.sarif",
            "--format",
            "junit=out.xml",
        ],
    );
    assert!(stdout(&o).contains("privileged-container"));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("out.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        std::fs::read_to_string(d.path().join("out.xml"))
            .unwrap()
            .contains("<testsuites")
    );
    let o = run_in(
        d.path(),
        &["scan", "pod.yaml", "--format", "json", "--output", "r.json"],
    );
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("finding(s)"));
    assert!(
        std::fs::read_to_string(d.path().join("r.json"))
            .unwrap()
            .contains("\"findings\"")
    );
    let o = run_in(d.path(), &["scan", "--format", "json", "--format", "text"]);
    assert_eq!(o.status.code(), Some(2), "two formats cannot both go to stdout");
}

#[test]
fn github_annotations() {
    let d = tempdir();
    write(d.path(), "pod.yaml", PRIVILEGED_POD);
    let out = stdout(&run_in(
        d.path(),
        &["scan", "--format", "github", "--enable", "privileged-container"],
    ));
    assert!(
        out.lines().any(|l| l.starts_with(
            "::error file=pod.yaml,line=11,col=9,title=privileged-container (critical)::Pod apps/bad%3A"
        ) || l.starts_with(
            "::error file=pod.yaml,line=11,col=9,title=privileged-container (critical)::Pod apps/bad: "
        )),
        "{out}"
    );
}

#[test]
fn junit_has_a_case_per_object_and_check() {
    let d = tempdir();
    write(d.path(), "pod.yaml", PRIVILEGED_POD);
    write(
        d.path(),
        "svc.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    );
    let out = stdout(&run_in(
        d.path(),
        &["scan", "--format", "junit", "--disable", "memory-limits-missing"],
    ));
    assert!(out.contains("<testcase classname=\"Pod apps/bad\" name=\"privileged-container\" file=\"pod.yaml\"><failure type=\"critical\""), "{out}");
    assert!(
        out.contains(
            "<testcase classname=\"Pod apps/bad\" name=\"host-network\" file=\"pod.yaml\"></testcase>"
        ),
        "{out}"
    );
    assert!(
        !out.contains("classname=\"ConfigMap c\" name=\"host-network\""),
        "workload checks do not judge a ConfigMap: {out}"
    );
    assert!(
        out.contains("classname=\"ConfigMap c\" name=\"default-namespace\""),
        "{out}"
    );
}

#[test]
fn checks_and_explain() {
    let o = bin().args(["checks"]).output().unwrap();
    assert!(stdout(&o).contains("privileged-container"));
    let o = bin().args(["checks", "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v.as_array().unwrap().len() >= 25, "about 25 checks");
    let o = bin().args(["explain", "host-network"]).output().unwrap();
    let out = stdout(&o);
    assert!(
        out.contains("Why it matters") && out.contains("hostNetwork: false"),
        "{out}"
    );
    let o = bin().args(["explain", "no-such-check"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn docs_checks_md_is_up_to_date() {
    let o = bin().args(["checks", "--format", "markdown"]).output().unwrap();
    let want = stdout(&o);
    let path = repo_root().join("docs/checks.md");
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/checks.md is stale: regenerate it with `cargo run -q -- checks --format markdown > docs/checks.md`"
    );
}

#[test]
fn broken_pipe_is_not_an_error() {
    use std::io::Read as _;
    use std::process::{Command, Stdio};
    let d = tempdir();
    for i in 0..200 {
        write(d.path(), &format!("p{i}.yaml"), PRIVILEGED_POD);
    }
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("rampart"))
        .current_dir(d.path())
        .args(["scan"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut buf = [0u8; 16];
    out.read_exact(&mut buf).unwrap();
    drop(out);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(!err.contains("error"), "{err}");
    assert_ne!(status.code(), Some(2));
    assert!(status.code().is_some(), "not killed by SIGPIPE");
}

/// A report file that already exists, longer than the new report, holds exactly the new
/// report afterwards (it is written over in place and cut to length), for the streamed
/// JSON report and for the other formats; the same report goes to a pipe unchanged.
#[test]
fn report_files_are_replaced_whole() {
    let d = tempdir();
    write(d.path(), "pod.yaml", PRIVILEGED_POD);
    let scan = [
        "scan",
        "pod.yaml",
        "--enable",
        "privileged-container",
        "--fail-on",
        "never",
    ];
    for format in ["json", "sarif", "junit", "text"] {
        let to_stdout = run_in(d.path(), &[&scan[..], &["--format", format]].concat());
        assert_eq!(to_stdout.status.code(), Some(0), "{}", stderr(&to_stdout));
        let expected = stdout(&to_stdout);
        assert!(expected.len() > 100, "{format}: {expected}");
        let file = d.path().join(format!("report.{format}"));
        std::fs::write(&file, "x".repeat(expected.len() * 3)).unwrap();
        let o = run_in(
            d.path(),
            &[
                &scan[..],
                &["--format", format, "--output", file.to_str().unwrap()],
            ]
            .concat(),
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), expected, "{format}");
    }
    // A device is written, not cut.
    let o = run_in(
        d.path(),
        &[&scan[..], &["--format", "json", "--output", "/dev/null"]].concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
