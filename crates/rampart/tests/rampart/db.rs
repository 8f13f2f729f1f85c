//! `rampart db`: import, status and update against a real HTTP server on loopback that
//! serves zip archives the tests build; failed updates must leave the database intact.

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::common::{bin, repo_root, stderr, stdout};

fn fixtures(sub: &str) -> PathBuf {
    repo_root()
        .join("crates/rampart-vuln/tests/fixtures/osv")
        .join(sub)
}

/// `rampart db --db DIR ARGS...` with no database settings from the environment.
fn db(dir: &Path, args: &[&str]) -> std::process::Output {
    bin()
        .env_remove("RAMPART_DB")
        .env_remove("RAMPART_OSV_URL")
        .arg("db")
        .arg("--db")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

fn status_json(dir: &Path) -> serde_json::Value {
    let o = db(dir, &["status", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn source<'a>(status: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    status["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no source {name} in {status:#}"))
}

/// A zip archive of (member name, text) pairs.
fn zip_of(members: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn record(id: &str, eco: &str, name: &str, fixed: &str) -> String {
    format!(
        r#"{{"id": "{id}", "modified": "2024-01-01T00:00:00Z", "affected": [{{"package": {{"ecosystem": "{eco}", "name": "{name}"}},
           "ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "{fixed}"}}]}}]}}]}}"#
    )
}

#[derive(Clone)]
enum Reply {
    Ok(Vec<u8>),
    /// Announces the full length, sends half, closes the connection.
    Drop(Vec<u8>),
    /// Announces the full length, sends half, then waits (for the client to be killed).
    Stall(Vec<u8>),
    NotFound,
}

fn serve(mut stream: std::net::TcpStream, routes: &Mutex<HashMap<String, Reply>>, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let path = first.split_whitespace().nth(1).unwrap_or("").to_owned();
    log.lock().unwrap().push(path.clone());
    let reply = routes
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .unwrap_or(Reply::NotFound);
    let head = |len: usize| format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n");
    let _ = match reply {
        Reply::Ok(body) => stream
            .write_all(head(body.len()).as_bytes())
            .and_then(|()| stream.write_all(&body)),
        Reply::Drop(body) => stream
            .write_all(head(body.len()).as_bytes())
            .and_then(|()| stream.write_all(&body[..body.len() / 2])),
        Reply::Stall(body) => {
            let sent = stream
                .write_all(head(body.len()).as_bytes())
                .and_then(|()| stream.write_all(&body[..body.len() / 2]))
                .and_then(|()| stream.flush());
            std::thread::sleep(std::time::Duration::from_secs(20));
            sent
        }
        Reply::NotFound => {
            stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
    };
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// A plain HTTP/1.1 server on loopback: answers each GET from a route table the test
/// can change, and logs the paths asked for.
struct Server {
    base: String,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<Mutex<HashMap<String, Reply>>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, l) = (routes.clone(), log.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (r, l) = (r.clone(), l.clone());
                std::thread::spawn(move || serve(stream, &r, &l));
            }
        });
        Server { base, routes, log }
    }

    fn set(&self, path: &str, reply: Reply) {
        self.routes.lock().unwrap().insert(path.to_owned(), reply);
    }

    fn requests(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

/// The files of a database directory other than the database and its lock: leftovers of
/// a failed run.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "osv.db" && n != ".lock")
        .collect()
}

#[test]
fn import_then_status() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    let o = db(
        &dir,
        &[
            "import",
            fixtures("npm").to_str().unwrap(),
            fixtures("debian").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("2 records imported, 1 withdrawn skipped, 0 unreadable"),
        "{}",
        stdout(&o)
    );
    let s = status_json(&dir);
    assert_eq!(s["advisories"], 4);
    assert_eq!(s["stale"], false);
    let npm = source(&s, fixtures("npm").canonicalize().unwrap().to_str().unwrap());
    assert_eq!(
        (
            npm["kind"].as_str(),
            npm["records"].as_u64(),
            npm["withdrawn"].as_u64()
        ),
        (Some("import"), Some(2), Some(1))
    );
    assert_eq!(npm["ecosystems"]["npm"], 3);

    let o = db(&dir, &["status"]);
    let text = stdout(&o);
    assert!(text.contains("advisories: 4, packages: 6"), "{text}");
    assert!(
        text.contains("ecosystems: Debian:11 (1), Debian:12 (2)"),
        "{text}"
    );
    assert!(stderr(&o).is_empty(), "fresh data, no warning: {}", stderr(&o));
    // Older than the allowed age: a warning, still exit 0.
    let o = db(&dir, &["status", "--max-age", "0s"]);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("warning: source") && stderr(&o).contains("run `rampart db update`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(status_json_with_age(&dir, "0s")["stale"], true);

    // Importing the same path again replaces its records instead of adding to them.
    let o = db(&dir, &["import", fixtures("npm").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(status_json(&dir)["advisories"], 4);
    assert_eq!(status_json(&dir)["sources"].as_array().unwrap().len(), 2);
    // --replace starts over.
    let o = db(
        &dir,
        &["import", "--replace", fixtures("debian").to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(status_json(&dir)["advisories"], 2);
}

fn status_json_with_age(dir: &Path, age: &str) -> serde_json::Value {
    let o = db(dir, &["status", "--format", "json", "--max-age", age]);
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn status_without_database_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = db(tmp.path(), &["status"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no vulnerability database") && stderr(&o).contains("rampart db update"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn database_location_flag_env_and_xdg_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let npm = fixtures("npm");
    let run = |envs: &[(&str, &Path)], extra: &[&str]| {
        let mut c = bin();
        c.env_remove("RAMPART_DB").env_remove("XDG_CACHE_HOME").arg("db");
        for (k, v) in envs {
            c.env(k, v);
        }
        let o = c.args(extra).arg("import").arg(&npm).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    };
    let home = tmp.path().join("home");
    run(&[("HOME", &home)], &[]);
    assert!(home.join(".cache/rampart/db/osv.db").is_file());
    let xdg = tmp.path().join("xdg");
    run(&[("HOME", &home), ("XDG_CACHE_HOME", &xdg)], &[]);
    assert!(xdg.join("rampart/db/osv.db").is_file());
    let env_dir = tmp.path().join("env");
    run(
        &[
            ("HOME", &home),
            ("XDG_CACHE_HOME", &xdg),
            ("RAMPART_DB", &env_dir),
        ],
        &[],
    );
    assert!(env_dir.join("osv.db").is_file());
    let flag = tmp.path().join("flag");
    run(&[("RAMPART_DB", &env_dir)], &["--db", flag.to_str().unwrap()]);
    assert!(flag.join("osv.db").is_file());
}

#[test]
fn bad_records_are_reported_and_the_rest_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    let o = db(
        &dir,
        &[
            "import",
            fixtures("bad").to_str().unwrap(),
            fixtures("npm").to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("warning: ") && err.contains("BROKEN-1.json:5:"),
        "{err}"
    );
    assert!(err.contains("BROKEN-2.yaml:"), "{err}");
    assert!(
        stdout(&o).contains("0 records imported, 0 withdrawn skipped, 2 unreadable"),
        "{}",
        stdout(&o)
    );
    assert_eq!(status_json(&dir)["advisories"], 2);
}

#[test]
fn import_of_a_missing_path_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    assert!(
        db(&dir, &["import", fixtures("npm").to_str().unwrap()])
            .status
            .success()
    );
    let before = std::fs::read(dir.join("osv.db")).unwrap();
    let o = db(
        &dir,
        &["import", fixtures("debian").to_str().unwrap(), "/nonexistent/osv"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/osv"), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.join("osv.db")).unwrap(), before);
}

#[test]
fn update_downloads_each_ecosystem_and_replaces_only_its_source() {
    let server = Server::start();
    server.set(
        "/PyPI/all.zip",
        Reply::Ok(zip_of(&[
            ("PYSEC-1.json", &record("PYSEC-1", "PyPI", "requests", "2.0")),
            ("PYSEC-2.json", &record("PYSEC-2", "PyPI", "flask", "1.0")),
        ])),
    );
    server.set(
        "/Rocky%20Linux/all.zip",
        Reply::Ok(zip_of(&[(
            "RLSA-1.json",
            &record("RLSA-1", "Rocky Linux:9", "openssl", "1:3.0.7-1.el9"),
        )])),
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    assert!(
        db(&dir, &["import", fixtures("alpine").to_str().unwrap()])
            .status
            .success()
    );
    let o = db(
        &dir,
        &[
            "update",
            "--base-url",
            &server.base,
            "-e",
            "PyPI",
            "--ecosystem",
            "Rocky Linux",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(server.requests(), ["/PyPI/all.zip", "/Rocky%20Linux/all.zip"]);
    let s = status_json(&dir);
    assert_eq!(s["advisories"], 4);
    let pypi = source(&s, "PyPI");
    assert_eq!(
        (pypi["kind"].as_str(), pypi["records"].as_u64()),
        (Some("download"), Some(2))
    );
    assert_eq!(pypi["location"], format!("{}/PyPI/all.zip", server.base));

    // A new PyPI archive replaces the PyPI records; Rocky Linux and the import stay.
    server.set(
        "/PyPI/all.zip",
        Reply::Ok(zip_of(&[("PYSEC-3.yaml", "id: PYSEC-3\naffected: []\n")])),
    );
    let o = bin()
        .env_remove("RAMPART_DB")
        .env("RAMPART_OSV_URL", &server.base)
        .args(["db", "--db", dir.to_str().unwrap(), "update", "-e", "PyPI"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let s = status_json(&dir);
    assert_eq!(s["advisories"], 3, "{s:#}");
    assert_eq!(source(&s, "PyPI")["records"], 1);
    assert_eq!(source(&s, "Rocky Linux")["records"], 1);
    server.requests();

    // Without --ecosystem: the ecosystems downloaded before.
    let o = db(&dir, &["update", "--base-url", &server.base]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut asked = server.requests();
    asked.sort();
    assert_eq!(asked, ["/PyPI/all.zip", "/Rocky%20Linux/all.zip"]);
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn failed_updates_leave_the_previous_database_intact() {
    let server = Server::start();
    let good = zip_of(&[
        ("GHSA-1.json", &record("GHSA-1", "npm", "left-pad", "1.3.0")),
        ("GHSA-2.json", &record("GHSA-2", "npm", "lodash", "4.17.21")),
    ]);
    server.set("/npm/all.zip", Reply::Ok(good.clone()));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    let o = db(&dir, &["update", "--base-url", &server.base, "-e", "npm"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = std::fs::read(dir.join("osv.db")).unwrap();
    let check_intact = |what: &str| {
        assert_eq!(
            std::fs::read(dir.join("osv.db")).unwrap(),
            before,
            "{what}: database changed"
        );
        assert!(leftovers(&dir).is_empty(), "{what}: {:?}", leftovers(&dir));
        assert_eq!(status_json(&dir)["advisories"], 2, "{what}");
    };

    // A truncated archive, delivered completely.
    server.set("/npm/all.zip", Reply::Ok(good[..good.len() - 40].to_vec()));
    let o = db(&dir, &["update", "--base-url", &server.base, "-e", "npm"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not a readable zip archive"),
        "{}",
        stderr(&o)
    );
    check_intact("truncated zip");

    // The server drops the connection half-way.
    server.set("/npm/all.zip", Reply::Drop(good.clone()));
    let o = db(&dir, &["update", "--base-url", &server.base, "-e", "npm"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("download of"), "{}", stderr(&o));
    check_intact("dropped connection");

    // One of two ecosystems is missing on the mirror: nothing changes, not even npm.
    server.set(
        "/npm/all.zip",
        Reply::Ok(zip_of(&[("GHSA-9.json", &record("GHSA-9", "npm", "x", "1"))])),
    );
    let o = db(
        &dir,
        &["update", "--base-url", &server.base, "-e", "npm", "-e", "NoSuch"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("/NoSuch/all.zip") && stderr(&o).contains("404"),
        "{}",
        stderr(&o)
    );
    check_intact("missing archive");

    // A corrupt record is reported with its archive, member and line; the rest is imported.
    server.set(
        "/npm/all.zip",
        Reply::Ok(zip_of(&[
            ("GHSA-1.json", &record("GHSA-1", "npm", "left-pad", "1.3.0")),
            ("BAD.json", "{\n  \"id\": \"BAD\",\n  \"affected\": [}\n"),
            ("GHSA-3.json", &record("GHSA-3", "npm", "minimist", "1.2.6")),
        ])),
    );
    let o = db(&dir, &["update", "--base-url", &server.base, "-e", "npm"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("all.zip:BAD.json:3:"), "{}", stderr(&o));
    let s = status_json(&dir);
    assert_eq!(s["advisories"], 2);
    assert_eq!(source(&s, "npm")["problems"], 1);
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn a_killed_update_leaves_the_database_usable_and_the_next_run_cleans_up() {
    let server = Server::start();
    let good = zip_of(&[("GHSA-1.json", &record("GHSA-1", "npm", "left-pad", "1.3.0"))]);
    server.set("/npm/all.zip", Reply::Ok(good.clone()));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    assert!(
        db(&dir, &["update", "--base-url", &server.base, "-e", "npm"])
            .status
            .success()
    );
    let before = std::fs::read(dir.join("osv.db")).unwrap();

    // A big archive that arrives half-way and then stalls; the update is killed meanwhile.
    let big: Vec<(String, String)> = (0..2000)
        .map(|i| {
            (
                format!("GHSA-{i}.json"),
                record(&format!("GHSA-{i}"), "npm", &format!("p{i}"), "1.0"),
            )
        })
        .collect();
    let members: Vec<(&str, &str)> = big.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    server.set("/npm/all.zip", Reply::Stall(zip_of(&members)));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"))
        .env_remove("RAMPART_DB")
        .args([
            "db",
            "--db",
            dir.to_str().unwrap(),
            "update",
            "--base-url",
            &server.base,
            "-e",
            "npm",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while leftovers(&dir).is_empty() {
        assert!(std::time::Instant::now() < deadline, "the download never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        !leftovers(&dir).is_empty(),
        "the killed run leaves its partial download"
    );
    assert_eq!(std::fs::read(dir.join("osv.db")).unwrap(), before);
    assert_eq!(
        status_json(&dir)["advisories"],
        1,
        "the previous database still works"
    );

    // The next run (lock free again: it died with the process) removes the leftovers.
    server.set("/npm/all.zip", Reply::Ok(good));
    let o = db(&dir, &["update", "--base-url", &server.base, "-e", "npm"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
}

#[test]
fn a_damaged_database_is_replaced_by_the_next_import() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("osv.db"), b"not a database").unwrap();
    let o = db(&dir, &["status"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a usable vulnerability database"),
        "{}",
        stderr(&o)
    );
    let o = db(&dir, &["import", fixtures("npm").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("building a new database"), "{}", stderr(&o));
    assert_eq!(status_json(&dir)["advisories"], 2);
}
