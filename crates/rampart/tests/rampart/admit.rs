//! `rampart admit` end to end: the real binary serving HTTPS with certificates made by
//! `deploy/admission/certs.sh` (openssl), and a TLS client that verifies them the way the
//! API server does (against the CA bundle, for the Service's DNS name). Requests are
//! AdmissionReview bodies shaped like the API server's.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};

use crate::common::*;

/// Status, headers (names in lower case) and body.
type Response = (u16, Vec<(String, String)>, Vec<u8>);

/// The name the API server uses to reach the webhook Service.
const SERVICE_NAME: &str = "rampart-admission.rampart.svc";

fn make_certs(dir: &Path) {
    let out = Command::new("sh")
        .arg(repo_root().join("deploy/admission/certs.sh"))
        .arg(dir)
        .env("EXTRA_SANS", "DNS:localhost,IP:127.0.0.1")
        .output()
        .expect("sh runs");
    assert!(out.status.success(), "certs.sh failed: {}", stderr(&out));
}

struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `rampart admit` with certificates in `dir` and `extra` arguments; the audit
    /// log goes to `dir/audit.jsonl`.
    fn start(dir: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
            .arg("admit")
            .arg("--tls-cert")
            .arg(dir.join("tls.crt"))
            .arg("--tls-key")
            .arg(dir.join("tls.key"))
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--audit-log")
            .arg(dir.join("audit.jsonl"))
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(a) = line.split("listening on https://").nth(1) {
                    let _ = tx.send(a.parse::<SocketAddr>().unwrap());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no listening line; stderr: {:?}", log.lock().unwrap()));
        Server {
            child,
            addr,
            log,
            dir: dir.to_path_buf(),
        }
    }

    fn client(&self) -> Client {
        Client::connect(self.addr, &self.dir.join("ca.crt"))
    }

    fn stderr(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    fn audit(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.join("audit.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line not JSON ({e}): {l}")))
            .collect()
    }

    fn audit_of(&self, uid: &str) -> Vec<Value> {
        self.audit().into_iter().filter(|l| l["uid"] == uid).collect()
    }

    /// The value of a counter or gauge (absent counts as 0).
    fn metric(client: &mut Client, line_start: &str) -> u64 {
        let (status, _, body) = client.get("/metrics");
        assert_eq!(status, 200);
        let text = String::from_utf8(body).unwrap();
        text.lines()
            .find_map(|l| {
                l.strip_prefix(line_start)
                    .filter(|v| v.starts_with(' '))
                    .map(|v| v.trim().parse::<u64>().unwrap())
            })
            .unwrap_or(0)
    }

    /// Waits until `f` holds, or fails with the server's log.
    fn wait_for(&self, what: &str, mut f: impl FnMut() -> bool) {
        let start = Instant::now();
        while !f() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}; server log:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// An HTTPS client on one kept-alive connection.
struct Client {
    tls: rustls::StreamOwned<rustls::ClientConnection, TcpStream>,
}

fn client_config(ca: &Path) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(ca).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

impl Client {
    fn try_connect(addr: SocketAddr, ca: &Path) -> std::io::Result<Client> {
        let sock = TcpStream::connect(addr)?;
        sock.set_read_timeout(Some(Duration::from_secs(30)))?;
        let conn =
            rustls::ClientConnection::new(client_config(ca), ServerName::try_from(SERVICE_NAME).unwrap())
                .unwrap();
        let mut tls = rustls::StreamOwned::new(conn, sock);
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock)?;
        }
        Ok(Client { tls })
    }

    fn connect(addr: SocketAddr, ca: &Path) -> Client {
        Client::try_connect(addr, ca).unwrap()
    }

    /// The DER of the certificate the server presented.
    fn server_cert(&self) -> Vec<u8> {
        self.tls.conn.peer_certificates().unwrap()[0].as_ref().to_vec()
    }

    fn send(&mut self, raw: &[u8]) -> std::io::Result<Response> {
        self.tls.write_all(raw)?;
        self.tls.flush()?;
        self.read_response()
    }

    /// Status and headers (names in lower case) of the next response.
    fn read_head(&mut self) -> std::io::Result<(u16, Vec<(String, String)>)> {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if self.tls.read(&mut byte)? == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            head.push(byte[0]);
        }
        let head = String::from_utf8(head).unwrap();
        let mut lines = head.split("\r\n");
        let status: u16 = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Ok((status, headers))
    }

    fn read_response(&mut self) -> std::io::Result<Response> {
        let (status, headers) = self.read_head()?;
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map_or(0, |(_, v)| v.parse().unwrap());
        let mut body = vec![0; len];
        self.tls.read_exact(&mut body)?;
        Ok((status, headers, body))
    }

    fn request(&mut self, method: &str, path: &str, content_type: &str, body: &[u8]) -> Response {
        let mut raw = format!(
            "{method} {path} HTTP/1.1\r\nHost: {SERVICE_NAME}:443\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nAccept: application/json, */*\r\n\r\n",
            body.len()
        )
        .into_bytes();
        raw.extend_from_slice(body);
        self.send(&raw).unwrap()
    }

    fn get(&mut self, path: &str) -> Response {
        let raw = format!("GET {path} HTTP/1.1\r\nHost: {SERVICE_NAME}:443\r\n\r\n");
        self.send(raw.as_bytes()).unwrap()
    }

    /// Sends a review as the API server does and returns the `response` of the answer.
    fn review(&mut self, body: &Value) -> Value {
        let (status, _, out) = self.request(
            "POST",
            "/validate?timeout=10s",
            "application/json",
            &serde_json::to_vec(body).unwrap(),
        );
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&out));
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["kind"], "AdmissionReview");
        assert_eq!(v["apiVersion"], body["apiVersion"]);
        assert_eq!(v["response"]["uid"], body["request"]["uid"]);
        v["response"].clone()
    }
}

/// An AdmissionReview shaped like the API server's.
struct Req {
    uid: &'static str,
    operation: &'static str,
    object: Value,
    old: Option<Value>,
    user: &'static str,
    groups: Vec<&'static str>,
    dry_run: bool,
    version: &'static str,
    sub_resource: &'static str,
}

impl Req {
    fn create(uid: &'static str, object: Value) -> Req {
        Req {
            uid,
            operation: "CREATE",
            object,
            old: None,
            user: "alice@example.com",
            groups: vec!["developers", "system:authenticated"],
            dry_run: false,
            version: "admission.k8s.io/v1",
            sub_resource: "",
        }
    }

    fn body(&self) -> Value {
        let api_version = self.object["apiVersion"].as_str().unwrap();
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let kind = self.object["kind"].as_str().unwrap();
        let resource = format!("{}s", kind.to_ascii_lowercase());
        let options_kind = if self.operation == "CREATE" {
            "CreateOptions"
        } else {
            "UpdateOptions"
        };
        let mut req = json!({
            "uid": self.uid,
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": resource},
            "requestKind": {"group": group, "version": version, "kind": kind},
            "requestResource": {"group": group, "version": version, "resource": resource},
            "name": self.object["metadata"]["name"],
            "operation": self.operation,
            "userInfo": {
                "username": self.user,
                "uid": "0d3f5d4e-6c2b-4b7e-9d1a-3f0e8c1b2a77",
                "groups": self.groups,
                "extra": {"authentication.kubernetes.io/credential-id": ["X509SHA256=ab12"]}
            },
            "object": self.object,
            "oldObject": self.old.clone().unwrap_or(Value::Null),
            "dryRun": self.dry_run,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": options_kind, "fieldManager": "kubectl-client-side-apply"},
        });
        if let Some(ns) = self.object["metadata"]["namespace"].as_str() {
            req["namespace"] = json!(ns);
        }
        if !self.sub_resource.is_empty() {
            req["subResource"] = json!(self.sub_resource);
        }
        json!({"apiVersion": self.version, "kind": "AdmissionReview", "request": req})
    }
}

/// A Deployment that passes every default check.
fn hardened(name: &str, ns: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "automountServiceAccountToken": false,
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{
                        "name": "app",
                        "image": "registry.example.com/shop/web@sha256:4f1c3bcb0b0c14f1c57d55e1b6a3c5d0e8e6c1f3a2b4d6e8f0a1b3c5d7e9f1a3",
                        "ports": [{"containerPort": 8080, "name": "http"}],
                        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}},
                        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
                        "securityContext": {
                            "allowPrivilegeEscalation": false,
                            "readOnlyRootFilesystem": true,
                            "runAsNonRoot": true,
                            "capabilities": {"drop": ["ALL"]}
                        }
                    }]
                }
            }
        }
    })
}

fn privileged(name: &str, ns: &str) -> Value {
    let mut d = hardened(name, ns);
    d["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] = json!(true);
    d["spec"]["template"]["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"] =
        json!(true);
    d
}

fn warnings(resp: &Value) -> Vec<String> {
    resp["warnings"]
        .as_array()
        .map(|w| w.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// (check, field path) of each finding of a JSON list, sorted.
fn check_and_path(findings: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A whole POST /validate request for `body`, as raw bytes.
fn raw_review(body: &[u8]) -> Vec<u8> {
    [
        format!(
            "POST /validate HTTP/1.1\r\nHost: {SERVICE_NAME}:443\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
        body,
    ]
    .concat()
}

fn checks_of(audit: &Value) -> Vec<String> {
    audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap().to_string())
        .collect()
}

const CONFIG: &str = "\
exceptions:
  - check: privileged-container
    kind: Deployment
    name: cni-*
    reason: the CNI agent configures host networking
    expires: 2099-01-01
    ticket: NET-42
";

#[test]
#[allow(clippy::many_single_char_names)] // c: the client, r: a response, w: its warnings, ...
fn admission_decisions_over_https() {
    let dir = tempdir();
    make_certs(dir.path());
    let config = write(dir.path(), "rampart.yaml", CONFIG);
    let server = Server::start(dir.path(), &["--config", config.to_str().unwrap()]);
    let mut c = server.client();
    assert_eq!(c.get("/healthz").0, 200);
    assert_eq!(c.get("/readyz").0, 200);

    // Allowed: nothing to say.
    let r = c.review(&Req::create("u-allowed", hardened("web", "shop")).body());
    assert_eq!(r, json!({"uid": "u-allowed", "allowed": true}), "{r}");

    // Denied: a critical finding, with what to change and how to get an exception.
    let r = c.review(&Req::create("u-denied", privileged("web", "shop")).body());
    assert_eq!(r["allowed"], false);
    assert_eq!(r["status"]["code"], 403);
    let msg = r["status"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("Rampart denied Deployment shop/web: 1 finding(s)"),
        "{msg}"
    );
    assert!(
        msg.contains("- [critical] privileged-container at spec.template.spec.containers[0].securityContext.privileged: container \"app\" runs privileged"),
        "{msg}"
    );
    assert!(msg.contains("fix: Remove `privileged: true`."), "{msg}");
    assert!(
        msg.contains("exception") && msg.contains("rampart.dev/break-glass"),
        "{msg}"
    );
    assert!(msg.len() < 2000, "{}", msg.len());
    // The medium finding that came with it is a warning.
    let w = warnings(&r);
    assert!(
        w.iter()
            .any(|w| w.starts_with("rampart: [medium] privilege-escalation-allowed:")),
        "{w:?}"
    );

    // Warned: only medium and low findings.
    let mut d = hardened("api", "shop");
    d["spec"]["template"]["spec"]["containers"][0]["resources"] = json!({});
    let r = c.review(&Req::create("u-warned", d).body());
    assert_eq!(r["allowed"], true);
    let w = warnings(&r);
    assert!(
        w[0].starts_with("rampart: [medium] memory-limits-missing:"),
        "sorted by severity: {w:?}"
    );
    assert!(
        w.iter()
            .any(|w| w.starts_with("rampart: [low] cpu-requests-missing:")),
        "{w:?}"
    );

    // Excepted: the exception of the configuration, as in `rampart scan`.
    let r = c.review(&Req::create("u-excepted", privileged("cni-agent", "net")).body());
    assert_eq!(r["allowed"], true, "{r}");
    let a = &server.audit_of("u-excepted")[0];
    let f = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "privileged-container")
        .unwrap();
    assert_eq!(
        f["excepted"],
        format!(
            "the CNI agent configures host networking ({}:2)",
            config.display()
        )
    );

    // Break-glass: let through, warned about, and recorded as a high-severity finding.
    let mut d = privileged("hotfix", "shop");
    d["metadata"]["annotations"] = json!({"rampart.dev/break-glass": "INC-1234 outage, approved by on-call"});
    let r = c.review(&Req::create("u-glass", d).body());
    assert_eq!(r["allowed"], true);
    let w = warnings(&r);
    assert!(
        w[0].contains("break-glass used (\"INC-1234 outage, approved by on-call\"): 1 enforced finding(s)"),
        "{w:?}"
    );
    assert!(w[1].contains("privileged-container"), "{w:?}");
    let a = &server.audit_of("u-glass")[0];
    assert_eq!(a["decision"], "warned");
    assert_eq!(a["breakGlass"], "INC-1234 outage, approved by on-call");
    let glass = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "break-glass")
        .unwrap();
    assert_eq!(glass["severity"], "high");

    // Excluded namespace.
    let r = c.review(&Req::create("u-kube-system", privileged("dns", "kube-system")).body());
    assert_eq!(r["allowed"], true);
    assert_eq!(
        server.audit_of("u-kube-system")[0]["skipped"],
        "namespace kube-system is excluded"
    );

    // A pod its ReplicaSet's controller creates is judged at the Deployment...
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "web-5d8c7-x2x9z", "namespace": "shop", "generateName": "web-5d8c7-",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8c7", "uid": "a1", "controller": true, "blockOwnerDeletion": true}]
        },
        "spec": privileged("x", "shop")["spec"]["template"]["spec"].clone()
    });
    let mut req = Req::create("u-owned", pod.clone());
    req.user = "system:serviceaccount:kube-system:replicaset-controller";
    req.groups = vec![
        "system:serviceaccounts",
        "system:serviceaccounts:kube-system",
        "system:authenticated",
    ];
    let r = c.review(&req.body());
    assert_eq!(r["allowed"], true);
    assert_eq!(
        server.audit_of("u-owned")[0]["skipped"],
        "judged at its owner, ReplicaSet web-5d8c7"
    );
    // ...but an owner reference a person writes proves nothing.
    pod["metadata"]["name"] = json!("sneaky");
    let r = c.review(&Req::create("u-fake-owner", pod).body());
    assert_eq!(r["allowed"], false);

    // Dry run: the same answer, no decision logged.
    let mut req = Req::create("u-dry", privileged("web", "shop"));
    req.dry_run = true;
    let r = c.review(&req.body());
    assert_eq!(r["allowed"], false);

    // v1beta1 is answered in v1beta1.
    let mut req = Req::create("u-beta", privileged("web", "shop"));
    req.version = "admission.k8s.io/v1beta1";
    assert_eq!(c.review(&req.body())["allowed"], false);

    // UPDATE: a finding the old object had already is warned about, a new one is denied.
    let mut req = Req::create("u-update-existing", privileged("web", "shop"));
    req.operation = "UPDATE";
    let mut old = privileged("web", "shop");
    old["spec"]["replicas"] = json!(5);
    req.old = Some(old);
    let r = c.review(&req.body());
    assert_eq!(r["allowed"], true, "{r}");
    assert!(
        warnings(&r)
            .iter()
            .any(|w| w.contains("privileged-container") && w.contains("already there before this update")),
        "{r}"
    );
    let mut req = Req::create("u-update-new", privileged("web", "shop"));
    req.operation = "UPDATE";
    req.old = Some(hardened("web", "shop"));
    assert_eq!(c.review(&req.body())["allowed"], false);

    // An object being deleted can always lose its finalizers.
    let mut d = privileged("web", "shop");
    d["metadata"]["deletionTimestamp"] = json!("2026-11-27T10:00:00Z");
    let mut req = Req::create("u-deleting", d);
    req.operation = "UPDATE";
    req.old = Some(privileged("web", "shop"));
    assert_eq!(c.review(&req.body())["allowed"], true);

    // A kind no check knows is allowed with a warning.
    let cr = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "shop"}, "spec": {"privileged": true}});
    let r = c.review(&Req::create("u-unknown", cr).body());
    assert_eq!(r["allowed"], true);
    assert_eq!(
        warnings(&r),
        ["rampart: no checks know example.com/v1 Widget; allowed without evaluation"]
    );

    // Requests that are not reviews.
    let (status, _, body) = c.request("POST", "/validate", "application/json", b"{\"apiVersion\": ");
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("not valid JSON"));
    let (status, _, _) = c.request(
        "POST",
        "/validate",
        "application/json",
        br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#,
    );
    assert_eq!(status, 400);
    let (status, _, _) = c.request("POST", "/validate", "text/plain", b"{}");
    assert_eq!(status, 415);
    assert_eq!(c.get("/validate").0, 405);
    assert_eq!(c.get("/nothing-here").0, 404);
    // The connection is still usable after all of these.
    assert_eq!(c.get("/healthz").0, 200);

    // A review near the API server's 3 MiB limit is served; a body over the limit is
    // refused with 413 and the connection closed.
    let mut big = hardened("big", "shop");
    big["metadata"]["annotations"] = json!({"example.com/blob": "x".repeat(3 * 1024 * 1024 - 4096)});
    assert_eq!(c.review(&Req::create("u-big", big).body())["allowed"], true);
    let huge = vec![b' '; 8 * 1024 * 1024];
    let (status, headers, _) = c.request("POST", "/validate", "application/json", &huge);
    assert_eq!(status, 413);
    assert!(
        headers.contains(&("connection".into(), "close".into())),
        "{headers:?}"
    );

    // The decision log: one JSON line per decision, none for the dry run.
    let mut c = server.client();
    server.wait_for("the audit lines", || server.audit().len() >= 14);
    let audit = server.audit();
    assert!(server.audit_of("u-dry").is_empty());
    let uids: Vec<&str> = audit.iter().map(|a| a["uid"].as_str().unwrap()).collect();
    assert_eq!(
        uids,
        [
            "u-allowed",
            "u-denied",
            "u-warned",
            "u-excepted",
            "u-glass",
            "u-kube-system",
            "u-owned",
            "u-fake-owner",
            "u-beta",
            "u-update-existing",
            "u-update-new",
            "u-deleting",
            "u-unknown",
            "u-big"
        ]
    );
    let denied = &audit[1];
    assert_eq!(denied["decision"], "denied");
    assert_eq!(denied["user"], "alice@example.com");
    assert_eq!(denied["operation"], "CREATE");
    assert_eq!(denied["kind"], "apps/v1/Deployment");
    assert_eq!(denied["namespace"], "shop");
    assert!(denied["latencyMs"].as_f64().unwrap() > 0.0);
    assert!(checks_of(denied).contains(&"privileged-container".to_string()));
    let f = denied["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "privileged-container")
        .unwrap();
    assert_eq!(f["mode"], "enforce");
    assert_eq!(f["container"], "app");

    // Metrics count decisions by kind, the dry run apart, and the refused requests.
    let denied_deployments = Server::metric(
        &mut c,
        "rampart_admission_requests_total{decision=\"denied\",kind=\"Deployment\",dry_run=\"false\"}",
    );
    assert_eq!(denied_deployments, 3); // u-denied, u-beta, u-update-new
    assert_eq!(
        Server::metric(
            &mut c,
            "rampart_admission_requests_total{decision=\"denied\",kind=\"Deployment\",dry_run=\"true\"}"
        ),
        1
    );
    assert_eq!(
        Server::metric(&mut c, "rampart_admission_rejected_requests_total{code=\"400\"}"),
        2
    );
    assert_eq!(
        Server::metric(&mut c, "rampart_admission_rejected_requests_total{code=\"413\"}"),
        1
    );
    assert_eq!(
        Server::metric(&mut c, "rampart_admission_rejected_requests_total{code=\"415\"}"),
        1
    );
    assert_eq!(Server::metric(&mut c, "rampart_admission_break_glass_total"), 1);
    assert_eq!(
        Server::metric(&mut c, "rampart_admission_request_duration_seconds_count"),
        15
    );
}

#[test]
fn namespace_pod_security_labels_apply_once_the_namespace_is_seen() {
    let dir = tempdir();
    make_certs(dir.path());
    let server = Server::start(dir.path(), &[]);
    let mut c = server.client();
    // A pod that baseline allows and restricted does not: it runs as root.
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "namespace": "payments"},
        "spec": {"containers": [{"name": "app", "image": "registry.example.com/app:1.0"}]}
    });
    let r = c.review(&Req::create("u-before", pod.clone()).body());
    let before = checks_of(&server.audit_of("u-before")[0]);
    assert!(
        !before.contains(&"pss-namespace-enforce".to_string()),
        "{before:?}"
    );
    assert_eq!(r["allowed"], true);

    let ns = json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "payments", "labels": {
            "kubernetes.io/metadata.name": "payments",
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "v1.30"
        }}
    });
    c.review(&Req::create("u-ns", ns).body());
    let r = c.review(&Req::create("u-after", pod).body());
    let after = &server.audit_of("u-after")[0];
    let f = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "pss-namespace-enforce")
        .unwrap_or_else(|| panic!("{after}"));
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("enforces Pod Security \"restricted:v1.30\""),
        "{f}"
    );
    let severity = rampart_severity("pss-namespace-enforce");
    assert_eq!(
        r["allowed"],
        !matches!(severity.as_str(), "critical" | "high"),
        "{r}"
    );
}

fn rampart_severity(check: &str) -> String {
    let out = bin()
        .args(["explain", check, "--format", "json"])
        .output()
        .unwrap();
    json(&out)["severity"].as_str().unwrap().to_string()
}

/// The same objects through `rampart scan` and `rampart admit` give the same findings and
/// the same verdict (`scan --fail-on high` fails exactly when admission denies).
#[test]
fn admission_and_scan_agree() {
    let dir = tempdir();
    make_certs(dir.path());
    let server = Server::start(dir.path(), &[]);
    let mut c = server.client();
    let mut host = hardened("agent", "infra");
    host["spec"]["template"]["spec"]["hostNetwork"] = json!(true);
    host["spec"]["template"]["spec"]["hostPID"] = json!(true);
    host["spec"]["template"]["spec"]["volumes"] = json!([{"name": "root", "hostPath": {"path": "/"}}]);
    host["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] =
        json!([{"name": "root", "mountPath": "/host"}]);
    let mut latest = hardened("latest", "shop");
    latest["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:latest");
    latest["spec"]["template"]["spec"]["containers"][0]["securityContext"] = json!({});
    let objects = vec![
        hardened("web", "shop"),
        privileged("priv", "shop"),
        host,
        latest,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lb", "namespace": "shop"},
               "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "ci-admin"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
               "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "ci"}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "all", "namespace": "shop"},
               "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "backup", "namespace": "shop"},
               "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
                   "restartPolicy": "OnFailure",
                   "containers": [{"name": "b", "image": "registry.example.com/backup:2", "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]}}}}}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"},
               "spec": {"rules": [{"host": "shop.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                   "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}),
    ];
    let mut denied_any = false;
    for (i, obj) in objects.iter().enumerate() {
        let uid: &'static str = Box::leak(format!("parity-{i}").into_boxed_str());
        let r = c.review(&Req::create(uid, obj.clone()).body());
        let out = bin()
            .current_dir(dir.path())
            .args(["scan", "-", "--format", "json", "--fail-on", "high"])
            .write_stdin(serde_json::to_vec(obj).unwrap())
            .output()
            .unwrap();
        let report = json(&out);
        let from_scan = check_and_path(&report["findings"]);
        server.wait_for("the audit line", || !server.audit_of(uid).is_empty());
        let from_admit = check_and_path(&server.audit_of(uid)[0]["findings"]);
        assert_eq!(from_admit, from_scan, "object {i}: {}", obj["kind"]);
        let scan_fails = out.status.code() == Some(1);
        assert_eq!(r["allowed"] == false, scan_fails, "object {i}: {r}");
        denied_any |= scan_fails;
        if i == 0 {
            assert!(
                from_scan.is_empty(),
                "the hardened Deployment has findings: {from_scan:?}"
            );
        }
    }
    assert!(denied_any);
}

/// Certificates are rotated while requests keep flowing: no request fails, connections
/// already open keep working, new ones get the new certificate. The configuration is
/// reloaded on change; an invalid one is refused and the previous one stays.
#[test]
fn certificate_rotation_under_load_and_config_reload() {
    let dir = tempdir();
    let config = write(dir.path(), "rampart.yaml", "# defaults\n");
    // Started before any certificate exists: alive, not ready, no TLS.
    let server = Server::start(
        dir.path(),
        &["--config", config.to_str().unwrap(), "--reload-interval", "0.1"],
    );
    assert!(
        server
            .stderr()
            .contains("not ready until the certificate and key can be loaded")
    );
    std::fs::create_dir_all(dir.path()).unwrap();
    make_certs(dir.path());
    server.wait_for("the first certificate", || {
        Client::try_connect(server.addr, &dir.path().join("ca.crt")).is_ok()
    });
    let mut c = server.client();
    assert_eq!(c.get("/readyz").0, 200);
    let first_cert = c.server_cert();

    // Load: two threads on kept-alive connections, one opening a new connection per request.
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let body = serde_json::to_vec(&Req::create("u-load", privileged("web", "shop")).body()).unwrap();
    let mut workers = Vec::new();
    for fresh in [false, false, true] {
        let (stop, done, body) = (stop.clone(), done.clone(), body.clone());
        let (addr, ca) = (server.addr, dir.path().join("ca.crt"));
        workers.push(std::thread::spawn(move || -> Result<(), String> {
            let mut client = Client::connect(addr, &ca);
            while !stop.load(Ordering::Relaxed) {
                if fresh {
                    client = Client::try_connect(addr, &ca).map_err(|e| format!("connect: {e}"))?;
                }
                let (status, _, out) = client
                    .send(&raw_review(&body))
                    .map_err(|e| format!("request: {e}"))?;
                let v: Value = serde_json::from_slice(&out).map_err(|e| e.to_string())?;
                if status != 200 || v["response"]["allowed"] != false {
                    return Err(format!("{status} {v}"));
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }));
    }
    server.wait_for("some load", || done.load(Ordering::Relaxed) > 20);

    make_certs(dir.path());
    let new_cert = CertificateDer::from_pem_file(dir.path().join("tls.crt")).unwrap();
    assert_ne!(new_cert.as_ref(), first_cert.as_slice());
    server.wait_for("the new certificate", || {
        Client::connect(server.addr, &dir.path().join("ca.crt")).server_cert() == new_cert.as_ref()
    });
    let before = done.load(Ordering::Relaxed);
    server.wait_for("more load after the rotation", || {
        done.load(Ordering::Relaxed) > before + 20
    });
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap().unwrap();
    }
    // The connection opened before the rotation still works and still has the old pair.
    assert_eq!(c.get("/healthz").0, 200);
    assert_eq!(c.server_cert(), first_cert);
    assert_eq!(
        Server::metric(&mut c, "rampart_admission_certificate_reloads_total"),
        1
    );
    assert_eq!(
        Server::metric(&mut c, "rampart_admission_certificate_reload_errors_total"),
        0
    );

    // Configuration reload: privileged containers only warned about from now on.
    std::fs::write(&config, "checks:\n  privileged-container:\n    mode: warn\n").unwrap();
    let req = Req::create("u-reloaded", privileged("web", "shop")).body();
    server.wait_for("the new configuration", || c.review(&req)["allowed"] == true);
    assert_eq!(
        Server::metric(&mut c, "rampart_admission_config_reloads_total"),
        1
    );
    // An invalid configuration is refused; the previous one stays in force.
    std::fs::write(&config, "checks:\n  privileged-container:\n    mode: maybe\n").unwrap();
    server.wait_for("the refusal", || {
        Server::metric(&mut c, "rampart_admission_config_reload_errors_total") == 1
    });
    assert_eq!(
        Server::metric(&mut c, "rampart_admission_config_last_reload_successful"),
        0
    );
    assert!(
        server.stderr().contains("unknown admission mode `maybe`"),
        "{}",
        server.stderr()
    );
    assert_eq!(c.review(&req)["allowed"], true);
}

/// We eat our own food: the deployment manifests have no finding at or above medium.
#[test]
fn deploy_manifests_pass_rampart_scan() {
    let out = bin()
        .current_dir(repo_root())
        .args([
            "scan",
            "deploy",
            "--no-config",
            "--fail-on",
            "medium",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report = json(&out);
    let kinds = &report["summary"]["objects"]["byKind"];
    assert_eq!(kinds["ValidatingWebhookConfiguration"], 1, "{kinds}");
    assert_eq!(kinds["Deployment"], 1, "{kinds}");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

/// certs.sh fills the webhook registration with the CA that signs the serving certificate,
/// and keeps that CA when run again.
#[test]
fn certs_script_fills_the_ca_bundle_and_keeps_the_ca() {
    let dir = tempdir();
    make_certs(dir.path());
    let ca = std::fs::read(dir.path().join("ca.crt")).unwrap();
    let first = std::fs::read(dir.path().join("tls.crt")).unwrap();
    make_certs(dir.path());
    assert_eq!(std::fs::read(dir.path().join("ca.crt")).unwrap(), ca);
    assert_ne!(std::fs::read(dir.path().join("tls.crt")).unwrap(), first);
    let b64 = Command::new("base64")
        .args(["-w0"])
        .arg(dir.path().join("ca.crt"))
        .output()
        .unwrap();
    let webhook = std::fs::read_to_string(dir.path().join("webhook.yaml")).unwrap();
    assert!(
        webhook.contains(&format!("caBundle: {}", String::from_utf8(b64.stdout).unwrap())),
        "{webhook}"
    );
    let verify = Command::new("openssl")
        .args(["verify", "-CAfile"])
        .arg(dir.path().join("ca.crt"))
        .arg(dir.path().join("tls.crt"))
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", stdout(&verify));
}

/// The server is killed (SIGKILL) while decisions are being written: every line already
/// in the log is whole JSON; at most the last one is cut short.
#[test]
fn a_crash_never_damages_earlier_audit_lines() {
    let dir = tempdir();
    make_certs(dir.path());
    let mut server = Server::start(dir.path(), &[]);
    let body = serde_json::to_vec(&Req::create("u-crash", privileged("web", "shop")).body()).unwrap();
    let raw = raw_review(&body);
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let (addr, ca, raw) = (server.addr, dir.path().join("ca.crt"), raw.clone());
            std::thread::spawn(move || {
                let mut c = Client::connect(addr, &ca);
                // Until the server dies.
                while c.send(&raw).is_ok() {}
            })
        })
        .collect();
    let log = dir.path().join("audit.jsonl");
    server.wait_for("some decisions", || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.lines().count() > 200)
    });
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    for w in workers {
        w.join().unwrap();
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    let whole = if complete {
        &lines[..]
    } else {
        &lines[..lines.len() - 1]
    };
    assert!(whole.len() > 200);
    for l in whole {
        let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("damaged line ({e}): {l}"));
        assert_eq!(v["uid"], "u-crash");
        assert_eq!(v["decision"], "denied");
    }
}

/// SIGTERM: the server stops being ready, still answers (closing connections after each
/// response) for the shutdown delay, then exits with status 0.
#[test]
fn sigterm_drains_then_exits() {
    let dir = tempdir();
    make_certs(dir.path());
    let mut server = Server::start(dir.path(), &["--shutdown-delay", "1.5"]);
    let mut c = server.client();
    assert_eq!(c.get("/readyz").0, 200);
    let term = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    server.wait_for("the drain", || server.stderr().contains("terminating: not ready"));
    let (status, headers, _) = c.get("/readyz");
    assert_eq!(status, 503);
    assert!(
        headers.contains(&("connection".into(), "close".into())),
        "{headers:?}"
    );
    let mut c = server.client();
    let r = c.review(&Req::create("u-draining", privileged("web", "shop")).body());
    assert_eq!(r["allowed"], false);
    let started = Instant::now();
    let status = loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            break s;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still running");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    assert_eq!(server.audit_of("u-draining").len(), 1);
}

/// `Expect: 100-continue` gets the interim response before the body is sent, and a client
/// that trickles a request in is disconnected at --request-timeout, however slowly it
/// sends.
#[test]
fn continue_and_request_timeout() {
    let dir = tempdir();
    make_certs(dir.path());
    let server = Server::start(dir.path(), &["--request-timeout", "1"]);
    let mut c = server.client();
    let body = serde_json::to_vec(&Req::create("u-expect", hardened("web", "shop")).body()).unwrap();
    let head = format!(
        "POST /validate HTTP/1.1\r\nHost: {SERVICE_NAME}:443\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    );
    let (status, _, _) = c.send(head.as_bytes()).unwrap();
    assert_eq!(status, 100);
    let (status, _, out) = c.send(&body).unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&out).unwrap()["response"]["allowed"],
        true
    );

    // A slow client: one byte every 200 ms, never finishing its head.
    let mut slow = server.client();
    let started = Instant::now();
    slow.tls.write_all(b"POST /validate HTTP/1.1\r\n").unwrap();
    slow.tls.flush().unwrap();
    let mut cut = false;
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(200));
        if slow.tls.write_all(b"X").and_then(|()| slow.tls.flush()).is_err() {
            cut = true;
            break;
        }
        // The server closes the connection: the next read sees the end.
        slow.tls.sock.set_nonblocking(true).unwrap();
        let mut b = [0u8; 64];
        let r = slow.tls.read(&mut b);
        slow.tls.sock.set_nonblocking(false).unwrap();
        if matches!(r, Ok(0))
            || r.as_ref()
                .is_err_and(|e| e.kind() != std::io::ErrorKind::WouldBlock)
        {
            cut = true;
            break;
        }
    }
    assert!(cut, "the slow client was never disconnected");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(4),
        "{waited:?}"
    );
    // Other clients are served all along.
    assert_eq!(c.get("/healthz").0, 200);
    // HEAD: the headers of a GET, no body, and the connection stays usable.
    c.tls
        .write_all(format!("HEAD /healthz HTTP/1.1\r\nHost: {SERVICE_NAME}\r\n\r\n").as_bytes())
        .unwrap();
    let (status, headers) = c.read_head().unwrap();
    assert_eq!(status, 200);
    assert!(
        headers.contains(&("content-length".into(), "3".into())),
        "{headers:?}"
    );
    // Had a body followed, this would read it as the start of the next response.
    assert_eq!(c.get("/readyz").0, 200);
}
