//! The HTTPS server: TLS with certificates reloaded on change, one thread per connection
//! with keep-alive, the routes, and the watcher that reloads the configuration.

use std::io::{self, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::audit::Audit;
use crate::decide::{Decision, Namespaces, Policy, judge};
use crate::http::{self, ReadError, Request};
use crate::metrics::Metrics;
use crate::review::{Review, response};

/// Bodies up to this size are read. The API server refuses objects over 3 MiB; an UPDATE
/// review carries the object and the old object, so a review can be twice that.
pub const DEFAULT_MAX_BODY: usize = 7 * 1024 * 1024;
/// How long a connection may sit idle between requests. Longer than the 90 s the API
/// server's HTTP client keeps idle connections, so the server never closes a connection
/// the client is about to reuse.
const IDLE_TIMEOUT: Duration = Duration::from_mins(2);
/// The longest wait for any one read or write within a request.
const IO_TIMEOUT: Duration = Duration::from_secs(15);

/// After refusing a request: how long, and how much, the rest of it is read and dropped.
const LINGER: Duration = Duration::from_secs(2);
const LINGER_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Options {
    pub listen: String,
    /// The configuration file; `None` runs with the defaults.
    pub config: Option<PathBuf>,
    pub tls_cert: PathBuf,
    pub tls_key: PathBuf,
    /// Where decisions go, one JSON object per line; standard output when `None`.
    pub audit_log: Option<PathBuf>,
    /// How often the certificate, key and configuration files are checked for changes.
    pub reload_interval: Duration,
    pub max_connections: usize,
    pub max_body: usize,
    /// Benchmarks only: `/validate` sends the request body back without reading it, to
    /// measure the floor of this TLS and HTTP stack.
    pub echo: bool,
    /// How long a request (or a TLS handshake) may take to arrive, from its first byte.
    pub request_timeout: Duration,
    /// After SIGTERM, how long to keep answering (not ready, closing connections after
    /// each response) before exiting, while the API server stops sending requests here.
    pub shutdown_delay: Duration,
}

/// Loads and validates a configuration file.
pub fn load_policy(path: Option<&Path>) -> Result<Policy, Vec<String>> {
    let Some(path) = path else {
        return Ok(Policy::new(rampart_config::Config::default()));
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![format!("cannot read config {}: {e}", path.display())])?;
    rampart_config::Config::parse(&path.display().to_string(), &text)
        .map(Policy::new)
        .map_err(|errs| errs.iter().map(ToString::to_string).collect())
}

/// Loads a certificate chain and its private key (PEM), checking that they belong together.
pub fn load_certified_key(
    cert: &Path,
    key: &Path,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect)
        .map_err(|e| format!("cannot read certificate {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{} holds no PEM certificate", cert.display()));
    }
    let der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("cannot read private key {}: {e}", key.display()))?;
    CertifiedKey::from_der(chain, der, provider).map_err(|e| {
        format!(
            "certificate {} and key {} cannot be used together: {e}",
            cert.display(),
            key.display()
        )
    })
}

struct State {
    policy: RwLock<Arc<Policy>>,
    namespaces: Namespaces,
    metrics: Metrics,
    audit: Audit,
    /// The limits and modes of the command line.
    opts: Options,
    ready: AtomicBool,
    /// Set on SIGTERM: not ready, and every response closes its connection.
    draining: AtomicBool,
}

/// The certificate in use, shared by the TLS handshakes and the watcher. A handshake
/// takes the pair in the slot at that moment; connections already open keep theirs.
#[derive(Debug, Default)]
struct CertSlot(RwLock<Option<Arc<CertifiedKey>>>);

impl CertSlot {
    fn set(&self, key: Arc<CertifiedKey>) {
        let mut s = self.0.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *s = Some(key);
    }
}

#[derive(Debug)]
struct Resolver(Arc<CertSlot>);

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.0.0.read().ok()?.clone()
    }
}

fn log(message: &str) {
    let _ = writeln!(
        io::stderr(),
        "{} rampart admit: {message}",
        crate::audit::rfc3339(SystemTime::now())
    );
}

/// What identifies a file's content without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    ino: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt as _;
    // `metadata` follows symlinks, so a ConfigMap or Secret volume's `..data` swap shows
    // as a change of the file it points to.
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        modified: m.modified().ok(),
        len: m.len(),
        ino: m.ino(),
    })
}

/// Runs the server until the process ends; the address it listens on is logged once the
/// listener is open. On SIGTERM or SIGINT the server drains for
/// `shutdown_delay` and then exits the process with status 0.
pub fn serve(opts: &Options) -> Result<(), String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let policy = load_policy(opts.config.as_deref()).map_err(|e| e.join("\n"))?;
    let audit = match &opts.audit_log {
        Some(p) => Audit::file(p).map_err(|e| format!("cannot open audit log {}: {e}", p.display()))?,
        None => Audit::stdout(),
    };
    warm_up(&policy);
    let slot = Arc::new(CertSlot::default());
    let state = Arc::new(State {
        policy: RwLock::new(Arc::new(policy)),
        namespaces: Namespaces::default(),
        metrics: Metrics::new(),
        audit,
        opts: opts.clone(),
        ready: AtomicBool::new(false),
        draining: AtomicBool::new(false),
    });
    if let Err(e) = load_cert(opts, &provider, &slot, &state) {
        log(&e);
        log("not ready until the certificate and key can be loaded");
    }
    let tls = Arc::new(
        ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Resolver(slot.clone()))),
    );
    let listener =
        TcpListener::bind(&opts.listen).map_err(|e| format!("cannot listen on {}: {e}", opts.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    log(&format!("listening on https://{addr}"));

    // The watcher: certificate, key and configuration are reloaded when their files change.
    // A change is acted on once the files have stayed the same for one interval, so a pair
    // written one file after the other is never loaded half-new.
    {
        let state = state.clone();
        let opts = opts.clone();
        let provider = provider.clone();
        let slot = slot.clone();
        std::thread::Builder::new()
            .name("reload".into())
            .spawn(move || watch(&state, &opts, &provider, &slot))
            .map_err(|e| e.to_string())?;
    }

    // SIGTERM (a pod being deleted) and SIGINT: drain, then exit. The API server keeps
    // sending requests until the endpoint removal reaches it; answering them during the
    // delay keeps a rollout from failing requests.
    let term = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, term.clone()).map_err(|e| format!("cannot handle signals: {e}"))?;
    }
    {
        let state = state.clone();
        let delay = opts.shutdown_delay;
        std::thread::Builder::new()
            .name("shutdown".into())
            .spawn(move || {
                while !term.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(50));
                }
                state.draining.store(true, Ordering::Relaxed);
                log(&format!(
                    "terminating: not ready, answering for {:.1} s more",
                    delay.as_secs_f64()
                ));
                std::thread::sleep(delay);
                log("exiting");
                std::process::exit(0);
            })
            .map_err(|e| e.to_string())?;
    }

    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                log(&format!("accept failed: {e}"));
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let open = state.metrics.connections.load(Ordering::Relaxed);
        if usize::try_from(open).unwrap_or(usize::MAX) >= opts.max_connections {
            // Over the limit: close at once rather than queue; the client retries elsewhere.
            drop(stream);
            continue;
        }
        state.metrics.connections.fetch_add(1, Ordering::Relaxed);
        let state = state.clone();
        let tls = tls.clone();
        let spawned = std::thread::Builder::new()
            .name("conn".into())
            .stack_size(512 * 1024)
            .spawn(move || {
                let _ = connection(&state, stream, tls);
                state.metrics.connections.fetch_sub(1, Ordering::Relaxed);
            });
        if let Err(e) = spawned {
            log(&format!("cannot start a connection thread: {e}"));
        }
    }
    Ok(())
}

/// Judges one made-up pod so that the first real request does not pay for loading the
/// API schema and starting the worker threads.
fn warm_up(policy: &Policy) {
    let body = br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"warm-up","kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"warm-up","name":"p","operation":"CREATE","userInfo":{"username":"rampart"},"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"warm-up"},"spec":{"containers":[{"name":"c","image":"x"}]}}}}"#;
    if let Ok(review) = Review::parse(body) {
        let _ = judge(policy, &Namespaces::default(), &review);
    }
}

/// Loads the certificate and key into the slot and marks the server ready. Returns
/// whether it was ready before (a reload rather than the first load).
fn load_cert(
    opts: &Options,
    provider: &CryptoProvider,
    slot: &CertSlot,
    state: &State,
) -> Result<bool, String> {
    let key = load_certified_key(&opts.tls_cert, &opts.tls_key, provider)?;
    slot.set(Arc::new(key));
    Ok(state.ready.swap(true, Ordering::Relaxed))
}

/// What a file looked like when last loaded, and a change seen once but not yet acted on.
struct Settling<T> {
    loaded: T,
    pending: Option<T>,
}

impl<T: PartialEq + Copy> Settling<T> {
    fn new(now: T) -> Self {
        Settling {
            loaded: now,
            pending: None,
        }
    }

    /// Whether to load now: the files differ from what was loaded and have stayed the same
    /// since the previous look.
    fn settled(&mut self, now: T) -> bool {
        if now == self.loaded {
            self.pending = None;
            return false;
        }
        if self.pending == Some(now) {
            self.loaded = now;
            self.pending = None;
            return true;
        }
        self.pending = Some(now);
        false
    }
}

fn watch(state: &State, opts: &Options, provider: &CryptoProvider, slot: &CertSlot) {
    let cert_files = || (stamp(&opts.tls_cert), stamp(&opts.tls_key));
    let config_file = || opts.config.as_deref().and_then(stamp);
    let mut cert = Settling::new(cert_files());
    let mut config = Settling::new(config_file());
    loop {
        std::thread::sleep(opts.reload_interval);
        // Certificate and key; until a first pair loads, unchanged files are tried again.
        let now = cert_files();
        let ready = state.ready.load(Ordering::Relaxed);
        if cert.settled(now) || (!ready && now == cert.loaded && cert.pending.is_none()) {
            match load_cert(opts, provider, slot, state) {
                Ok(true) => {
                    state.metrics.certificate_reloads.fetch_add(1, Ordering::Relaxed);
                    log("certificate and key reloaded");
                }
                Ok(false) => log("certificate and key loaded; ready"),
                Err(e) if ready => {
                    state
                        .metrics
                        .certificate_reload_errors
                        .fetch_add(1, Ordering::Relaxed);
                    log(&format!("{e}; still serving the previous certificate"));
                }
                Err(_) => {}
            }
        }
        // Configuration.
        if config.settled(config_file()) {
            match load_policy(opts.config.as_deref()) {
                Ok(p) => {
                    if let Ok(mut s) = state.policy.write() {
                        *s = Arc::new(p);
                    }
                    state.metrics.config_reloads.fetch_add(1, Ordering::Relaxed);
                    state.metrics.config_last_reload_ok.store(1, Ordering::Relaxed);
                    log("configuration reloaded");
                }
                Err(errors) => {
                    state.metrics.config_reload_errors.fetch_add(1, Ordering::Relaxed);
                    state.metrics.config_last_reload_ok.store(0, Ordering::Relaxed);
                    for e in errors {
                        log(&format!("configuration refused, the previous one stays: {e}"));
                    }
                }
            }
        }
    }
}

/// A socket whose reads stop at a deadline: a request must arrive whole within
/// `--request-timeout` of its first byte, however slowly a client trickles it in.
struct Timed {
    sock: TcpStream,
    /// Waiting for the first byte of a request (the idle wait between requests).
    idle: bool,
    deadline: Option<Instant>,
    request_timeout: Duration,
    /// The socket's read timeout now, to set it only when it changes.
    timeout: Duration,
}

impl Timed {
    /// Between requests: wait up to the idle timeout for the next one.
    fn idle(&mut self) -> io::Result<()> {
        self.idle = true;
        self.deadline = None;
        self.set_timeout(IDLE_TIMEOUT)
    }

    fn set_timeout(&mut self, t: Duration) -> io::Result<()> {
        if t != self.timeout {
            self.sock.set_read_timeout(Some(t))?;
            self.timeout = t;
        }
        Ok(())
    }
}

impl io::Read for Timed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(d) = self.deadline {
            let left = d.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "request timed out"));
            }
            self.set_timeout(left.min(IO_TIMEOUT))?;
        }
        let n = self.sock.read(buf)?;
        if self.idle && n > 0 {
            self.idle = false;
            self.deadline = Some(Instant::now() + self.request_timeout);
        }
        Ok(n)
    }
}

impl io::Write for Timed {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.sock.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sock.flush()
    }
}

fn connection(state: &State, stream: TcpStream, tls: Arc<ServerConfig>) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let conn = ServerConnection::new(tls).map_err(io::Error::other)?;
    let sock = Timed {
        sock: stream,
        idle: false,
        // The handshake, too, must finish in time.
        deadline: Some(Instant::now() + state.opts.request_timeout),
        request_timeout: state.opts.request_timeout,
        timeout: IO_TIMEOUT,
    };
    let mut tls_stream = StreamOwned::new(conn, sock);
    // Finish the handshake before waiting for a request, so a client that cannot agree
    // on TLS is turned away at once.
    while tls_stream.conn.is_handshaking() {
        tls_stream.conn.complete_io(&mut tls_stream.sock)?;
    }
    let mut reader = BufReader::with_capacity(64 * 1024, tls_stream);
    loop {
        reader.get_mut().sock.idle()?;
        let continue_100 = |r: &mut BufReader<StreamOwned<ServerConnection, Timed>>| {
            let w = r.get_mut();
            w.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            w.flush()
        };
        let req = match http::read_request(&mut reader, state.opts.max_body, continue_100) {
            Ok(r) => r,
            Err(ReadError::Closed) => return Ok(()),
            Err(ReadError::Io(e)) => return Err(e),
            Err(ReadError::Reject(status, message)) => {
                state.metrics.rejected(status);
                let w = reader.get_mut();
                http::write_response(w, status, TEXT, format!("{message}\n").as_bytes(), false, false)?;
                w.conn.send_close_notify();
                let _ = w.flush();
                // Read what the client still sends (a body too large, say) for a moment
                // before closing: closing with unread data would reset the connection
                // and could destroy the response before the client reads it.
                reader.get_mut().sock.deadline = Some(Instant::now() + LINGER);
                let _ = io::copy(&mut (&mut reader).take(LINGER_BYTES), &mut io::sink());
                return Ok(());
            }
        };
        let (status, content_type, body) = route(state, &req);
        let keep = req.keep_alive && !state.draining.load(Ordering::Relaxed);
        let w = reader.get_mut();
        http::write_response(w, status, content_type, &body, keep, req.method == "HEAD")?;
        if !keep {
            w.conn.send_close_notify();
            let _ = w.flush();
            return Ok(());
        }
    }
}

const JSON: &str = "application/json";
const TEXT: &str = "text/plain; charset=utf-8";

fn route(state: &State, req: &Request) -> (u16, &'static str, Vec<u8>) {
    let method_ok = |m: &str| req.method == m || (m == "GET" && req.method == "HEAD");
    let plain = |status: u16, msg: &str| (status, TEXT, format!("{msg}\n").into_bytes());
    match req.path.as_str() {
        "/validate" if req.method == "POST" && state.opts.echo => (200, JSON, req.body.clone()),
        "/validate" if req.method == "POST" => validate(state, req),
        "/validate" => {
            state.metrics.rejected(405);
            plain(405, "use POST with an AdmissionReview")
        }
        "/healthz" if method_ok("GET") => plain(200, "ok"),
        "/readyz" if method_ok("GET") => {
            if state.draining.load(Ordering::Relaxed) {
                plain(503, "not ready: shutting down")
            } else if state.ready.load(Ordering::Relaxed) {
                plain(200, "ok")
            } else {
                plain(503, "not ready: no usable certificate and key yet")
            }
        }
        "/metrics" if method_ok("GET") => (
            200,
            "text/plain; version=0.0.4; charset=utf-8",
            state.metrics.render().into_bytes(),
        ),
        "/healthz" | "/readyz" | "/metrics" => plain(405, "use GET"),
        _ => {
            state.metrics.rejected(404);
            plain(404, "not found; the webhook path is /validate")
        }
    }
}

fn validate(state: &State, req: &Request) -> (u16, &'static str, Vec<u8>) {
    let start = Instant::now();
    let json_body = req.header("content-type").is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case(JSON))
    });
    if !json_body {
        state.metrics.rejected(415);
        return (
            415,
            TEXT,
            b"the body must be an AdmissionReview sent as application/json\n".to_vec(),
        );
    }
    let review = match Review::parse(&req.body) {
        Ok(r) => r,
        Err(e) => {
            state.metrics.rejected(400);
            return (400, TEXT, format!("{e}\n").into_bytes());
        }
    };
    let policy = state
        .policy
        .read()
        .map_or_else(|e| e.into_inner().clone(), |p| p.clone());
    let judged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        judge(&policy, &state.namespaces, &review)
    }));
    let Ok(decision): Result<Decision, _> = judged else {
        // The API server applies the webhook's failurePolicy to a 500.
        log(&format!(
            "internal error judging {} (uid {})",
            review.display(),
            review.uid
        ));
        state
            .metrics
            .review("error", &review.kind.kind, review.dry_run, start.elapsed());
        return (500, TEXT, b"internal error\n".to_vec());
    };
    let latency = start.elapsed();
    state.metrics.review(
        decision.verdict.as_str(),
        &review.kind.kind,
        review.dry_run,
        latency,
    );
    if decision.break_glass.is_some() && !review.dry_run {
        state.metrics.break_glass.fetch_add(1, Ordering::Relaxed);
    }
    // Dry-run requests are answered like any other but are not decisions: nothing was
    // created, so nothing is logged.
    if !review.dry_run
        && let Err(e) = state.audit.record(&review, &decision, latency)
    {
        log(&format!("cannot write the audit log: {e}"));
    }
    (
        200,
        JSON,
        response(&review.api_version, &review.uid, &decision.answer),
    )
}
