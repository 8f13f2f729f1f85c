//! Real components for the pull tests: Debian's `docker-registry` started on a loopback
//! port with a config written here, images pushed with `skopeo` from OCI layouts built
//! here, a token server issuing signed JWTs, and a loopback proxy that fails or
//! redirects on purpose.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
pub const LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
pub const USER: &str = "puller";
pub const PASSWORD: &str = "correct horse";

/// The path of a tool the tests need, or a failure saying which package brings it.
pub fn tool(name: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!("`{name}` is not installed; these tests need it: apt-get install -y {package}");
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .fold(String::new(), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------------------------------
// OCI layouts to push

/// A descriptor as the tests know it.
#[derive(Debug, Clone)]
pub struct Blob {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
}

impl Blob {
    pub fn hex(&self) -> &str {
        self.digest.trim_start_matches("sha256:")
    }
}

#[derive(Debug, Clone)]
pub struct BuiltImage {
    pub manifest: Blob,
    pub config: Blob,
    pub layers: Vec<Blob>,
    pub platform: (String, String, Option<String>),
}

pub fn write_blob(layout: &Path, media_type: &str, bytes: &[u8]) -> Blob {
    let hex = sha256_hex(bytes);
    let dir = layout.join("blobs/sha256");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(&hex), bytes).unwrap();
    Blob {
        media_type: media_type.to_owned(),
        digest: format!("sha256:{hex}"),
        size: bytes.len() as u64,
    }
}

pub fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_700_000_000);
        header.set_cksum();
        builder.append_data(&mut header, name, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// An image of two layers (a gzip one and an uncompressed one) whose files carry
/// `marker`, for `platform` (`os/arch[/variant]`).
pub fn build_image(layout: &Path, platform: &str, marker: &str) -> BuiltImage {
    let mut parts = platform.split('/');
    let os = parts.next().unwrap().to_owned();
    let arch = parts.next().unwrap().to_owned();
    let variant = parts.next().map(str::to_owned);
    let base = tar_of(&[("etc/os-release", format!("ID=test\nMARKER={marker}\n").as_bytes())]);
    let app = tar_of(&[("app/hello.txt", format!("hello from {marker}\n").as_bytes())]);
    let base_gz = gzip(&base);
    let layers = vec![
        write_blob(layout, LAYER_GZIP, &base_gz),
        write_blob(layout, LAYER_TAR, &app),
    ];
    let mut config = json!({
        "architecture": arch,
        "os": os,
        "config": {"Env": [format!("MARKER={marker}")]},
        "rootfs": {"type": "layers", "diff_ids": [
            format!("sha256:{}", sha256_hex(&base)),
            format!("sha256:{}", sha256_hex(&app)),
        ]},
    });
    if let Some(v) = &variant {
        config["variant"] = json!(v);
    }
    let config = write_blob(
        layout,
        OCI_CONFIG,
        serde_json::to_string(&config).unwrap().as_bytes(),
    );
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": descriptor(&config),
        "layers": layers.iter().map(descriptor).collect::<Vec<_>>(),
    });
    let manifest = write_blob(
        layout,
        OCI_MANIFEST,
        serde_json::to_string(&manifest).unwrap().as_bytes(),
    );
    BuiltImage {
        manifest,
        config,
        layers,
        platform: (os, arch, variant),
    }
}

fn descriptor(blob: &Blob) -> Value {
    json!({"mediaType": blob.media_type, "digest": blob.digest, "size": blob.size})
}

/// An image index over `images`, each with its platform.
pub fn build_index(layout: &Path, images: &[BuiltImage]) -> Blob {
    let manifests: Vec<Value> = images
        .iter()
        .map(|img| {
            let mut d = descriptor(&img.manifest);
            let (os, arch, variant) = &img.platform;
            d["platform"] = json!({"os": os, "architecture": arch});
            if let Some(v) = variant {
                d["platform"]["variant"] = json!(v);
            }
            d
        })
        .collect();
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
    write_blob(
        layout,
        OCI_INDEX,
        serde_json::to_string(&index).unwrap().as_bytes(),
    )
}

/// Names `top` (a manifest or an index) as `tag` in the layout's `index.json`.
pub fn tag_layout(layout: &Path, tag: &str, top: &Blob) {
    std::fs::write(layout.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let mut d = descriptor(top);
    d["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
    let index = json!({"schemaVersion": 2, "manifests": [d]});
    std::fs::write(layout.join("index.json"), index.to_string()).unwrap();
}

/// `skopeo copy oci:LAYOUT:TAG docker://DEST`.
pub fn push(layout: &Path, tag: &str, dest: &str, creds: Option<&str>, extra: &[&str]) {
    let skopeo = tool("skopeo", "skopeo");
    let mut cmd = Command::new(skopeo);
    cmd.args(["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false"]);
    if let Some(c) = creds {
        cmd.arg(format!("--dest-creds={c}"));
    }
    if !extra.contains(&"--format") && !extra.iter().any(|a| a.starts_with("--dest-compress")) {
        // Keep the blobs as built (skopeo would otherwise compress the tar layer).
        cmd.arg("--preserve-digests");
    }
    cmd.args(extra);
    cmd.arg(format!("oci:{}:{tag}", layout.display()));
    cmd.arg(format!("docker://{dest}"));
    let out = cmd.output().expect("run skopeo");
    assert!(
        out.status.success(),
        "skopeo copy to {dest} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The manifest or index a registry serves for `reference`, read with skopeo.
pub fn skopeo_inspect_raw(reference: &str) -> Value {
    let out = Command::new(tool("skopeo", "skopeo"))
        .args(["--insecure-policy", "inspect", "--raw", "--tls-verify=false"])
        .arg(format!("docker://{reference}"))
        .output()
        .expect("run skopeo");
    assert!(
        out.status.success(),
        "skopeo inspect of {reference} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `skopeo inspect` of a layout the client wrote: a real tool reading it back.
pub fn skopeo_inspect_layout(layout: &Path) -> Value {
    let out = Command::new(tool("skopeo", "skopeo"))
        .args(["--insecure-policy", "inspect"])
        .arg(format!("oci:{}", layout.display()))
        .output()
        .expect("run skopeo");
    assert!(
        out.status.success(),
        "skopeo inspect of {} failed: {}",
        layout.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

// ---------------------------------------------------------------------------------------
// The registry

pub enum Auth {
    None,
    Htpasswd,
    Token { realm: String, cert_pem: String },
}

pub struct Tls {
    pub cert_pem: String,
    pub key_pem: String,
}

pub struct Registry {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

pub const TOKEN_SERVICE: &str = "rampart-test-registry";
pub const TOKEN_ISSUER: &str = "rampart-test-issuer";

impl Registry {
    /// Starts a registry; a start that fails (say, the free port was taken meanwhile) is
    /// tried again on another port.
    pub fn start(auth: &Auth, tls: Option<&Tls>) -> Registry {
        let mut last = String::new();
        for _ in 0..3 {
            match Registry::try_start(auth, tls) {
                Ok(registry) => return registry,
                Err(e) => last = e,
            }
        }
        panic!("{last}");
    }

    fn try_start(auth: &Auth, tls: Option<&Tls>) -> Result<Registry, String> {
        let binary = tool("docker-registry", "docker-registry");
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("storage");
        let port = free_port();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n  maintenance:\n    uploadpurging:\n      enabled: false\n\
             http:\n  addr: 127.0.0.1:{port}\n  secret: not-a-secret\n",
            root.display()
        );
        if let Some(tls) = tls {
            let cert = dir.path().join("server.pem");
            let key = dir.path().join("server.key");
            std::fs::write(&cert, &tls.cert_pem).unwrap();
            std::fs::write(&key, &tls.key_pem).unwrap();
            let _ = write!(
                config,
                "  tls:\n    certificate: {}\n    key: {}\n",
                cert.display(),
                key.display()
            );
        }
        match auth {
            Auth::None => {}
            Auth::Htpasswd => {
                let out = Command::new(tool("htpasswd", "apache2-utils"))
                    .args(["-Bbn", USER, PASSWORD])
                    .output()
                    .unwrap();
                assert!(out.status.success());
                let path = dir.path().join("htpasswd");
                std::fs::write(&path, &out.stdout).unwrap();
                let _ = write!(
                    config,
                    "auth:\n  htpasswd:\n    realm: test\n    path: {}\n",
                    path.display()
                );
            }
            Auth::Token { realm, cert_pem } => {
                let bundle = dir.path().join("token-ca.pem");
                std::fs::write(&bundle, cert_pem).unwrap();
                let _ = write!(
                    config,
                    "auth:\n  token:\n    realm: {realm}\n    service: {TOKEN_SERVICE}\n    issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
                    bundle.display()
                );
            }
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new(binary)
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let mut registry = Registry { child, port, dir };
        registry.wait_ready()?;
        Ok(registry)
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("docker-registry exited ({status}): {}", self.log()));
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!("docker-registry did not listen in time: {}", self.log()))
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Where the registry keeps a blob's bytes.
    pub fn blob_data(&self, hex: &str) -> PathBuf {
        self.dir.path().join(format!(
            "storage/docker/registry/v2/blobs/sha256/{}/{hex}/data",
            &hex[..2]
        ))
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A CA and a server certificate for 127.0.0.1 signed by it.
pub fn make_tls() -> (Tls, String) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Rampart test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    (
        Tls {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        },
        ca_cert.pem(),
    )
}

// ---------------------------------------------------------------------------------------
// Small HTTP servers on loopback

pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: BTreeMap<String, String>,
    pub raw_head: Vec<u8>,
}

pub fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut raw = Vec::new();
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    if line.is_empty() {
        return None;
    }
    raw.extend_from_slice(line.as_bytes());
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        if h == "\r\n" || h.is_empty() {
            break;
        }
        raw.extend_from_slice(h.as_bytes());
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    Some(Request {
        method,
        target,
        headers,
        raw_head: raw,
    })
}

pub fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        let _ = write!(out, "{k}: {v}\r\n");
    }
    out.push_str("\r\n");
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}

fn serve(listener: TcpListener, handler: impl Fn(TcpStream) + Send + Sync + 'static) {
    let handler = Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handler = handler.clone();
            std::thread::spawn(move || handler(stream));
        }
    });
}

/// Forwards one request (forcing `Connection: close`) to `upstream` and copies the
/// answer back.
fn forward(mut client: TcpStream, req: &Request, upstream: &str, path: &str, auth: Option<&str>) {
    let Ok(mut up) = TcpStream::connect(upstream) else {
        respond(&mut client, "502 Bad Gateway", &[], b"");
        return;
    };
    let mut head = format!("{} {path} HTTP/1.1\r\n", req.method);
    for (k, v) in &req.headers {
        if k == "connection" || (k == "authorization" && auth.is_some()) {
            continue;
        }
        let _ = write!(head, "{k}: {v}\r\n");
    }
    if let Some(a) = auth {
        let _ = write!(head, "authorization: {a}\r\n");
    }
    head.push_str("connection: close\r\n\r\n");
    if up.write_all(head.as_bytes()).is_err() {
        return;
    }
    let mut buf = [0u8; 16 * 1024];
    loop {
        match up.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if client.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = client.shutdown(Shutdown::Write);
}

/// A proxy in front of a registry: answers 503 (with `Retry-After: 0`) to the first
/// `failures` requests, and, when `redirect_blobs`, answers blob requests with a 307 to
/// a second listener on 127.0.0.2 (another host), which records whether an
/// `Authorization` header arrived and fetches the blob with `storage_auth`.
pub struct Proxy {
    pub port: u16,
    pub requests: Arc<AtomicU32>,
    pub failures_left: Arc<AtomicU32>,
    /// The `Retry-After` seconds sent with each 503.
    pub retry_after: Arc<AtomicU32>,
    /// How many blob answers still to break off after a few bytes.
    pub truncate_blobs: Arc<AtomicU32>,
    /// How many requests still to answer by hanging up.
    pub hang_ups: Arc<AtomicU32>,
    /// For each request the storage listener got: whether it carried Authorization.
    pub storage_saw_auth: Arc<Mutex<Vec<bool>>>,
}

impl Proxy {
    pub fn start(
        upstream: String,
        failures: u32,
        redirect_blobs: bool,
        storage_auth: Option<String>,
    ) -> Proxy {
        let front = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = front.local_addr().unwrap().port();
        let storage = TcpListener::bind("127.0.0.2:0").expect("bind 127.0.0.2 (loopback)");
        let storage_port = storage.local_addr().unwrap().port();
        let requests = Arc::new(AtomicU32::new(0));
        let failures_left = Arc::new(AtomicU32::new(failures));
        let retry_after = Arc::new(AtomicU32::new(0));
        let truncate_blobs = Arc::new(AtomicU32::new(0));
        let hang_ups = Arc::new(AtomicU32::new(0));
        let storage_saw_auth = Arc::new(Mutex::new(Vec::new()));
        {
            let requests = requests.clone();
            let failures_left = failures_left.clone();
            let upstream = upstream.clone();
            let retry_after = retry_after.clone();
            let truncate_blobs = truncate_blobs.clone();
            let hang_ups = hang_ups.clone();
            serve(front, move |mut stream| {
                let Some(req) = read_request(&mut stream) else {
                    return;
                };
                requests.fetch_add(1, Ordering::SeqCst);
                if hang_ups
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
                {
                    let _ = stream.shutdown(Shutdown::Both);
                    return;
                }
                if failures_left
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok()
                {
                    respond(
                        &mut stream,
                        "503 Service Unavailable",
                        &[("Retry-After", retry_after.load(Ordering::SeqCst).to_string())],
                        b"try again",
                    );
                    return;
                }
                if req.target.contains("/blobs/")
                    && truncate_blobs
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok()
                {
                    // Promise 100 000 bytes, send 10, hang up.
                    let _ = stream.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n0123456789",
                    );
                    let _ = stream.shutdown(Shutdown::Both);
                    return;
                }
                if redirect_blobs && req.target.contains("/blobs/") {
                    respond(
                        &mut stream,
                        "307 Temporary Redirect",
                        &[(
                            "Location",
                            format!("http://127.0.0.2:{storage_port}/storage{}", req.target),
                        )],
                        b"",
                    );
                    return;
                }
                forward(stream, &req, &upstream, &req.target, None);
            });
        }
        {
            let saw = storage_saw_auth.clone();
            serve(storage, move |mut stream| {
                let Some(req) = read_request(&mut stream) else {
                    return;
                };
                saw.lock()
                    .unwrap()
                    .push(req.headers.contains_key("authorization"));
                let path = req.target.trim_start_matches("/storage").to_owned();
                forward(stream, &req, &upstream, &path, storage_auth.as_deref());
            });
        }
        Proxy {
            port,
            requests,
            failures_left,
            retry_after,
            truncate_blobs,
            hang_ups,
            storage_saw_auth,
        }
    }
}

/// What a token request asked for: scopes, service, user.
pub type TokenRequest = (Vec<String>, String, Option<String>);

/// A token service for `auth: token`: checks basic credentials, grants the scopes asked
/// for, signs ES256 JWTs with a key whose self-signed certificate the registry trusts
/// (sent in the `x5c` header), and answers with `access_token` only.
pub struct TokenServer {
    pub realm: String,
    pub cert_pem: String,
    /// (scopes, service, user) of each request.
    pub seen: Arc<Mutex<Vec<TokenRequest>>>,
}

impl TokenServer {
    pub fn start() -> TokenServer {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["token-issuer".to_owned()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Rampart test token issuer");
        let cert = params.self_signed(&key).unwrap();
        let cert_pem = cert.pem();
        let x5c = STANDARD.encode(cert.der());
        let rng = ring::rand::SystemRandom::new();
        let signer = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &key.serialize_der(),
            &rng,
        )
        .unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let realm = format!("http://{}/token", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let seen2 = seen.clone();
        let counter = AtomicU32::new(0);
        serve(listener, move |mut stream| {
            let Some(req) = read_request(&mut stream) else {
                return;
            };
            let query = req.target.split_once('?').map_or("", |(_, q)| q);
            let mut scopes = Vec::new();
            let mut service = String::new();
            for pair in query.split('&') {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let v = percent_decode(v);
                match k {
                    "scope" => scopes.push(v),
                    "service" => service = v,
                    _ => {}
                }
            }
            let user = req
                .headers
                .get("authorization")
                .and_then(|a| a.strip_prefix("Basic "))
                .and_then(|b| STANDARD.decode(b).ok())
                .and_then(|b| String::from_utf8(b).ok());
            seen2.lock().unwrap().push((
                scopes.clone(),
                service.clone(),
                user.as_ref().map(|u| u.split(':').next().unwrap().to_owned()),
            ));
            // Anonymous pulls of public/… are granted, as on public registries.
            let public_pull = user.is_none()
                && !scopes.is_empty()
                && scopes
                    .iter()
                    .all(|s| s.starts_with("repository:public/") && s.ends_with(":pull"));
            if user.as_deref() != Some(&format!("{USER}:{PASSWORD}")) && !public_pull {
                respond(
                    &mut stream,
                    "401 Unauthorized",
                    &[("Content-Type", "application/json".to_owned())],
                    br#"{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}"#,
                );
                return;
            }
            let access: Vec<Value> = scopes
                .iter()
                .filter_map(|s| {
                    let mut parts = s.splitn(3, ':');
                    let (ty, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
                    Some(json!({"type": ty, "name": name, "actions": actions.split(',').collect::<Vec<_>>()}))
                })
                .collect();
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let header = json!({"typ": "JWT", "alg": "ES256", "x5c": [x5c]});
            let claims = json!({
                "iss": TOKEN_ISSUER, "sub": if public_pull { "" } else { USER }, "aud": service,
                "exp": now + 300, "nbf": now - 10, "iat": now, "jti": format!("token-{n}"),
                "access": access,
            });
            let signing_input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let sig = signer
                .sign(&ring::rand::SystemRandom::new(), signing_input.as_bytes())
                .unwrap();
            let jwt = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()));
            let body = json!({"access_token": jwt, "expires_in": 300}).to_string();
            respond(
                &mut stream,
                "200 OK",
                &[("Content-Type", "application/json".to_owned())],
                body.as_bytes(),
            );
        });
        TokenServer {
            realm,
            cert_pem,
            seen,
        }
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                if let Ok(b) = u8::from_str_radix(hex, 16) {
                    out.push(b);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
