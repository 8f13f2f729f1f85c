//! Configuration, exceptions, annotations and baselines, through the real binary.

use crate::common::*;

const CNI: &str = "apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: calico-node
  namespace: kube-system
spec:
  selector:
    matchLabels: {app: calico}
  template:
    metadata:
      labels: {app: calico}
    spec:
      hostNetwork: true
      containers:
        - name: calico-node
          image: registry.example.com/calico:3.28
          securityContext:
            privileged: true
";

fn scan_json(dir: &std::path::Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut args = vec![
        "scan",
        "--format",
        "json",
        "--enable",
        "privileged-container",
        "--enable",
        "host-network",
    ];
    args.extend(extra);
    let o = run_in(dir, &args);
    (o.status.code(), json(&o))
}

#[test]
fn exception_suppresses_with_reason_and_expiry() {
    let d = tempdir();
    write(d.path(), "cni.yaml", CNI);
    write(
        d.path(),
        ".rampart.yaml",
        "checks:\n  memory-limits-missing: false\nexceptions:\n  - checks: [privileged-container, host-network]\n    kind: DaemonSet\n    namespace: kube-system\n    name: 'calico-*'\n    reason: CNI needs host networking and privileges\n    expires: 2099-12-31\n    ticket: SEC-1\n",
    );
    let (code, r) = scan_json(d.path(), &[]);
    let all: Vec<_> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["object"]["name"] == "calico-node")
        .collect();
    let sup: Vec<_> = all.iter().filter(|f| !f["suppressed"].is_null()).collect();
    assert_eq!(sup.len(), 2, "{r}");
    assert_eq!(sup[0]["suppressed"]["kind"], "exception");
    assert_eq!(
        sup[0]["suppressed"]["reason"],
        "CNI needs host networking and privileges"
    );
    assert_eq!(sup[0]["suppressed"]["expires"], "2099-12-31");
    assert_eq!(sup[0]["suppressed"]["ticket"], "SEC-1");
    assert_eq!(sup[0]["suppressed"]["source"], ".rampart.yaml:4");
    assert_eq!(r["summary"]["findings"]["suppressed"], 2);
    let remaining: Vec<_> = all
        .iter()
        .filter(|f| f["suppressed"].is_null())
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        code,
        if remaining.is_empty() { Some(0) } else { Some(1) },
        "{remaining:?}"
    );
}

#[test]
fn expired_exception_stops_suppressing_and_warns() {
    let d = tempdir();
    write(d.path(), "cni.yaml", CNI);
    write(
        d.path(),
        ".rampart.yaml",
        "exceptions:\n  - checks: ['*']\n    name: calico-node\n    reason: temporary\n    expires: 2020-01-31\n  - checks: [host-network]\n    name: nothing-matches\n    reason: stale\n",
    );
    let (code, r) = scan_json(d.path(), &[]);
    assert_eq!(code, Some(1));
    assert_eq!(r["summary"]["findings"]["suppressed"], 0);
    let warnings: Vec<&str> = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["level"] == "warning")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        warnings.iter().any(|w| w.contains("expired on 2020-01-31")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("matched no finding")),
        "{warnings:?}"
    );
}

#[test]
fn annotations_on_object_and_pod_template() {
    let d = tempdir();
    let on_template = CNI.replace(
        "      labels: {app: calico}\n    spec:",
        "      labels: {app: calico}\n      annotations:\n        ignore-check.rampart.dev/privileged-container: \"needs iptables\"\n    spec:",
    );
    write(d.path(), "a.yaml", &on_template);
    let on_object = CNI.replace(
        "  namespace: kube-system\n",
        "  namespace: kube-system\n  annotations:\n    rampart.dev/ignore-all: \"vendor chart, reviewed\"\n",
    ).replace("calico-node\n  namespace", "calico-two\n  namespace");
    write(d.path(), "b.yaml", &on_object);
    let no_reason = CNI
        .replace(
            "  namespace: kube-system\n",
            "  namespace: kube-system\n  annotations:\n    ignore-check.rampart.dev/host-network: \"\"\n",
        )
        .replace("calico-node\n  namespace", "calico-three\n  namespace");
    write(d.path(), "c.yaml", &no_reason);
    let (_, r) = scan_json(d.path(), &[]);
    let get = |name: &str, check: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["object"]["name"] == name && f["check"] == check)
            .cloned()
            .unwrap()
    };
    let a = get("calico-node", "privileged-container");
    assert_eq!(a["suppressed"]["kind"], "annotation");
    assert_eq!(a["suppressed"]["reason"], "needs iptables");
    assert_eq!(a["suppressed"]["source"], "a.yaml:13");
    assert!(get("calico-node", "host-network")["suppressed"].is_null());
    assert_eq!(
        get("calico-two", "host-network")["suppressed"]["reason"],
        "vendor chart, reviewed"
    );
    assert!(
        get("calico-three", "host-network")["suppressed"].is_null(),
        "an annotation without a reason does not suppress"
    );
    let warns = r["diagnostics"].to_string();
    assert!(warns.contains("has no reason"), "{warns}");
}

#[test]
fn config_errors_name_the_key_and_line() {
    let d = tempdir();
    write(d.path(), "pod.yaml", PRIVILEGED_POD);
    write(
        d.path(),
        ".rampart.yaml",
        "checks:\n  privileged-container:\n    severty: low\n",
    );
    let o = run_in(d.path(), &["scan"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains(".rampart.yaml:3:5: unknown key `severty`"), "{e}");
    assert!(e.contains("did you mean `severity`"), "{e}");
}

#[test]
fn config_is_found_upward_and_changes_severity() {
    let d = tempdir();
    write(
        d.path(),
        ".rampart.yaml",
        "checks:\n  privileged-container:\n    severity: low\n",
    );
    write(d.path(), "sub/dir/pod.yaml", PRIVILEGED_POD);
    let o = run_in(&d.path().join("sub/dir"), &["scan", "--format", "json"]);
    let r = json(&o);
    assert_eq!(findings_of(&r, "privileged-container")[0]["severity"], "low");
    let o = run_in(
        &d.path().join("sub/dir"),
        &["scan", "--format", "json", "--no-config"],
    );
    assert_eq!(
        findings_of(&json(&o), "privileged-container")[0]["severity"],
        "critical"
    );
}

#[test]
fn baseline_counts_only_new_findings() {
    let d = tempdir();
    write(d.path(), "pod.yaml", PRIVILEGED_POD);
    let o = run_in(d.path(), &["scan", "--write-baseline", "baseline.json"]);
    assert_eq!(o.status.code(), Some(1));
    let o = run_in(
        d.path(),
        &["scan", "--baseline", "baseline.json", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "everything is in the baseline");
    let r = json(&o);
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["inBaseline"] == true)
    );
    // Reformatting and moving the manifest does not make findings new.
    std::fs::remove_file(d.path().join("pod.yaml")).unwrap();
    let reformatted = "# moved and reformatted\napiVersion: v1\nkind: Pod\nmetadata: {namespace: apps, name: bad}\nspec:\n    containers:\n    -   image: registry.example.com/app:1.0\n        name: app\n        securityContext: {privileged: true}\n";
    write(d.path(), "moved/elsewhere.yaml", reformatted);
    let o = run_in(d.path(), &["scan", "--baseline", "baseline.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("in baseline"));
    // A new problem counts.
    write(d.path(), "new.yaml", HOST_NET_DEPLOY);
    let o = run_in(
        d.path(),
        &["scan", "--baseline", "baseline.json", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let r = json(&o);
    let counted: Vec<_> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["inBaseline"] == false)
        .collect();
    assert!(counted.iter().all(|f| f["file"] == "new.yaml"), "{counted:?}");
    // A fixed finding disappears from the next baseline.
    write(
        d.path(),
        "moved/elsewhere.yaml",
        &reformatted.replace("privileged: true", "privileged: false"),
    );
    run_in(d.path(), &["scan", "--write-baseline", "b2.json"]);
    let b2 = std::fs::read_to_string(d.path().join("b2.json")).unwrap();
    assert!(!b2.contains("privileged-container"), "{b2}");
    assert!(b2.contains("host-network"));
}

const OLD_CRONJOB: &str = "apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: report
  namespace: apps
spec:
  schedule: \"0 3 * * *\"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: registry.example.com/report:1.0
";

/// The `removed-api-version` findings of a scan of `dir`.
fn removed(dir: &std::path::Path, extra: &[&str]) -> (Option<i32>, usize) {
    let mut args = vec!["scan", "--format", "json", "--fail-on", "never"];
    args.extend(extra);
    let o = run_in(dir, &args);
    if o.status.code() != Some(0) {
        return (o.status.code(), 0);
    }
    let n = json(&o)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "removed-api-version")
        .count();
    (o.status.code(), n)
}

#[test]
fn kubernetes_version_from_config_file_flag_and_check_params() {
    let d = tempdir();
    write(d.path(), "cronjob.yaml", OLD_CRONJOB);
    // batch/v1beta1 CronJob was removed in 1.25.
    write(d.path(), ".rampart.yaml", "kubernetes-version: \"1.24\"\n");
    assert_eq!(removed(d.path(), &[]), (Some(0), 0));
    write(d.path(), ".rampart.yaml", "kubernetes-version: v1.25.3\n");
    assert_eq!(removed(d.path(), &[]), (Some(0), 1));
    // The flag wins over the file.
    assert_eq!(removed(d.path(), &["--kubernetes-version", "1.24"]), (Some(0), 0));
    // A check's own parameter wins over the top-level key, and the flag over both.
    write(
        d.path(),
        ".rampart.yaml",
        "kubernetes-version: \"1.24\"\nchecks:\n  removed-api-version:\n    params:\n      kubernetes-version: \"1.30\"\n",
    );
    assert_eq!(removed(d.path(), &[]), (Some(0), 1));
    assert_eq!(removed(d.path(), &["--kubernetes-version", "1.24"]), (Some(0), 0));
    // Without any setting, the newest known release: removed.
    write(d.path(), ".rampart.yaml", "# none\n");
    assert_eq!(removed(d.path(), &[]), (Some(0), 1));

    // Bad values are errors naming the file and line, or the flag.
    write(
        d.path(),
        ".rampart.yaml",
        "fail-on: high\nkubernetes-version: \"one.thirty\"\n",
    );
    let o = run_in(d.path(), &["scan"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".rampart.yaml:2:"), "{}", stderr(&o));
    write(d.path(), ".rampart.yaml", "# none\n");
    let o = run_in(d.path(), &["scan", "--kubernetes-version", "2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--kubernetes-version"), "{}", stderr(&o));
}
