//! `rampart node` through the real binary: exit codes, the JSON report, exceptions from
//! the configuration file, and bad arguments.

use crate::common::{json, run_in, stderr, stdout, tempdir, write};

/// A worker node whose kubelet runs from a systemd unit with flags only.
fn worker(root: &std::path::Path) {
    write(root, "etc/hostname", "worker-7\n");
    write(
        root,
        "etc/systemd/system/kubelet.service",
        "[Service]\nExecStart=/usr/bin/kubelet --kubeconfig=/etc/kubernetes/kubelet.conf --anonymous-auth=false\n",
    );
    write(
        root,
        "etc/kubernetes/kubelet.conf",
        "apiVersion: v1\nkind: Config\n",
    );
}

#[test]
fn failing_items_exit_1_and_the_json_report_has_the_evidence() {
    let dir = tempdir();
    let root = dir.path().join("node");
    worker(&root);
    let out = run_in(dir.path(), &["node", "--root", "node", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = json(&out);
    assert_eq!(r["schemaVersion"], "1.0");
    assert_eq!(r["benchmark"], "cis-1.12");
    assert_eq!(r["node"], "worker-7");
    assert_eq!(r["role"], "worker");
    let results = r["results"].as_array().unwrap();
    assert_eq!(results.len(), 97);
    let item = |id: &str| results.iter().find(|x| x["id"] == id).unwrap().clone();
    assert_eq!(item("4.2.1")["status"], "pass");
    let e = &item("4.2.1")["evidence"][0];
    assert_eq!(e["file"], "/etc/systemd/system/kubelet.service");
    assert_eq!(e["line"], 2);
    assert_eq!(item("4.2.2")["status"], "fail");
    assert_eq!(item("1.2.1")["status"], "not-applicable");
    assert_eq!(
        item("3.1.1")["status"],
        "not-applicable",
        "manual control-plane items too"
    );
    assert!(item("3.1.1")["guidance"].as_str().is_some_and(|g| !g.is_empty()));
}

#[test]
fn node_exceptions_in_the_configuration_accept_failures() {
    let dir = tempdir();
    let root = dir.path().join("node");
    worker(&root);
    write(
        dir.path(),
        ".rampart.yaml",
        "node-exceptions:\n  - items: ['*']\n    nodes: ['worker-*']\n    reason: lab node, rebuilt nightly\n    expires: 2099-01-01\n",
    );
    let out = run_in(dir.path(), &["node", "--root", "node", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("EXCP 4.2.2"), "{text}");
    assert!(
        text.contains("accepted: lab node, rebuilt nightly (.rampart.yaml:2)"),
        "{text}"
    );
    // The same exception for another node name does not apply.
    let out = run_in(dir.path(), &["node", "--root", "node", "--node-name", "cp-1"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bad_arguments_and_an_empty_root_exit_2() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    let out = run_in(dir.path(), &["node", "--root", "empty"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no Kubernetes component"),
        "{}",
        stderr(&out)
    );
    let out = run_in(dir.path(), &["node", "--root", "missing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a directory"));
    let out = run_in(dir.path(), &["node", "--root", "empty", "--role", "boss"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown role `boss`"));
    let out = run_in(dir.path(), &["node", "--list"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out).lines().count(), 97);
}

#[test]
fn node_reports_assess_the_node_controls_of_the_cis_compliance_report() {
    let dir = tempdir();
    let root = dir.path().join("node");
    worker(&root);
    let out = run_in(
        dir.path(),
        &[
            "node",
            "--root",
            "node",
            "--format",
            "json",
            "--output",
            "node.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    std::fs::create_dir_all(dir.path().join("manifests")).unwrap();
    let args = [
        "compliance",
        "manifests",
        "--standard",
        "cis-kubernetes-1.12",
        "--format",
        "json",
    ];
    let without = json(&run_in(dir.path(), &args));
    let mut with_args = args.to_vec();
    with_args.extend(["--node-report", "node.json"]);
    let out = run_in(dir.path(), &with_args);
    let with = json(&out);
    let control = |doc: &serde_json::Value, id: &str| {
        doc["standards"][0]["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(control(&without, "4.2.2")["status"], "not-assessed");
    let failed = control(&with, "4.2.2");
    assert_eq!(failed["status"], "fail");
    assert_eq!(failed["failures"][0]["object"], "Node worker-7");
    assert!(
        failed["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("AlwaysAllow"),
        "{failed}"
    );
    assert_eq!(control(&with, "4.2.1")["status"], "pass");
    assert_eq!(control(&with, "1.2.1")["status"], "not-applicable");
    // The node controls now count in the score.
    let assessed = |doc: &serde_json::Value| doc["summary"][0]["assessed"].as_u64().unwrap();
    assert!(
        assessed(&with) > assessed(&without),
        "{} vs {}",
        assessed(&with),
        assessed(&without)
    );
    // A file that is not a node report is an error naming it.
    write(dir.path(), "bad.json", "{\"schemaVersion\": \"1.0\"}");
    let mut bad = args.to_vec();
    bad.extend(["--node-report", "bad.json"]);
    let out = run_in(dir.path(), &bad);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("bad.json:1: not a rampart node JSON report"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sarif_validates_against_the_schema_and_junit_is_well_formed() {
    let dir = tempdir();
    let root = dir.path().join("node");
    worker(&root);
    write(
        dir.path(),
        ".rampart.yaml",
        "node-exceptions:\n  - items: ['4.2.4']\n    reason: read-only port firewalled\n",
    );
    let out = run_in(
        dir.path(),
        &[
            "node",
            "--root",
            "node",
            "--format",
            "sarif",
            "--output",
            "node.sarif",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let schema = crate::common::repo_root().join("../shared/schemas/sarif-schema-2.1.0.json");
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\ndoc=json.load(open(sys.argv[2]))\njsonschema.validators.validator_for(schema)(schema).validate(doc)\nprint('valid')\n";
    let sarif = dir.path().join("node.sarif");
    let o = std::process::Command::new("python3")
        .args(["-c", script, schema.to_str().unwrap(), sarif.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("valid"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let r422 = results.iter().find(|r| r["ruleId"] == "cis-1.12/4.2.2").unwrap();
    assert_eq!(
        r422["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "etc/systemd/system/kubelet.service"
    );
    let r424 = results.iter().find(|r| r["ruleId"] == "cis-1.12/4.2.4").unwrap();
    assert!(
        r424["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .starts_with("read-only port firewalled")
    );

    let out = run_in(dir.path(), &["node", "--root", "node", "--format", "junit"]);
    let xml = stdout(&out);
    let check = "import sys,xml.etree.ElementTree as ET\nr=ET.fromstring(sys.stdin.read())\ns=r.find('testsuite')\nprint(len(s.findall('testcase')), len(s.findall('testcase/failure')), len(s.findall('testcase/skipped')))\n";
    let mut child = std::process::Command::new("python3")
        .args(["-c", check])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), xml.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    let counts = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let r = json(&run_in(
        dir.path(),
        &["node", "--root", "node", "--format", "json"],
    ));
    let s = &r["summary"];
    let want = format!(
        "97 {} {}",
        s["fail"].as_u64().unwrap() - s["excepted"].as_u64().unwrap(),
        s["warn"].as_u64().unwrap() + s["notApplicable"].as_u64().unwrap()
    );
    assert_eq!(counts, want, "{xml}");
}

/// Ends the child process when the test ends, whatever happens.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn live_mode_reads_a_running_process_from_the_real_proc() {
    use std::os::unix::process::CommandExt as _;
    // A real process whose command line is a kube-proxy's: the shell keeps the arguments
    // after its script as positional parameters, and argv[0] is what the node audit
    // recognises. The loop (not a last command the shell could exec) keeps the shell
    // itself running until the test kills it.
    let child = std::process::Command::new("/bin/sh")
        .arg0("/usr/local/bin/kube-proxy")
        .args([
            "-c",
            "while :; do sleep 1; done",
            "--metrics-bind-address=0.0.0.0:10249",
        ])
        .spawn()
        .expect("/bin/sh runs");
    let child = Reaped(child);
    let pid = child.0.id();
    let cmdline = format!("/proc/{pid}/cmdline");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !std::fs::read(&cmdline).is_ok_and(|c| c.starts_with(b"/usr/local/bin/kube-proxy\0")) {
        assert!(std::time::Instant::now() < deadline, "the process did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    let dir = tempdir();
    let root = dir.path().join("node");
    worker(&root);
    let out = run_in(
        dir.path(),
        &["node", "--root", "node", "--proc", "/proc", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = json(&out);
    let item = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "4.3.1")
        .unwrap()
        .clone();
    assert_eq!(item["status"], "fail", "{item}");
    let e = &item["evidence"][0];
    assert_eq!(e["file"], cmdline.as_str(), "{item}");
    assert!(e["found"].as_str().unwrap().contains("0.0.0.0:10249"), "{item}");
    drop(child);
}
