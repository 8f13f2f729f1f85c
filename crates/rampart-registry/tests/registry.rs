//! Pulls from a real registry (Debian's `docker-registry`) that images were pushed to with
//! `skopeo`; the layouts written are read back with `skopeo inspect`.

mod support;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use rampart_registry::{
    BasicCredentials, Client, Compression, CredentialSource, Error, Options, Platform, Reference,
};
use support::{Auth, PASSWORD, Proxy, Registry, TokenServer, USER};

fn options() -> Options {
    Options {
        insecure_registries: vec!["127.0.0.1".to_owned(), "127.0.0.2".to_owned()],
        retry_base_delay: Duration::from_millis(10),
        max_retry_delay: Duration::from_millis(100),
        timeout: Duration::from_secs(10),
        use_env_proxy: false,
        ..Options::default()
    }
}

fn client(options: Options) -> Client {
    Client::new(options).unwrap()
}

fn reference(s: &str) -> Reference {
    Reference::parse(s).unwrap()
}

/// Pushes one amd64 image as `repo:tag` and returns what was built.
fn push_single(registry: &Registry, repo: &str, tag: &str, creds: Option<&str>) -> support::BuiltImage {
    let src = tempfile::tempdir().unwrap();
    let image = support::build_image(src.path(), "linux/amd64", repo);
    support::tag_layout(src.path(), tag, &image.manifest);
    support::push(
        src.path(),
        tag,
        &format!("{}/{repo}:{tag}", registry.host()),
        creds,
        &[],
    );
    image
}

/// The message a person would see (printed, so `--nocapture` shows them all).
fn shown(err: &Error) -> String {
    let text = err.to_string();
    eprintln!("error shown: {text}");
    text
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walk(dir)
        .into_iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn pulls_by_tag_then_by_digest_into_a_layout_skopeo_reads() {
    let registry = Registry::start(&Auth::None, None);
    let image = push_single(&registry, "team/app", "v1", None);
    let progress: Arc<Mutex<Vec<(String, u64, u64)>>> = Arc::default();
    let seen = progress.clone();
    let client = client(Options {
        progress: Some(Arc::new(move |p| {
            seen.lock()
                .unwrap()
                .push((p.digest.to_string(), p.received, p.total));
        })),
        ..options()
    });
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("by-tag");
    let pulled = client
        .pull(&reference(&format!("{}/team/app:v1", registry.host())), &dest)
        .unwrap();

    // What the pull says matches what was pushed (skopeo keeps OCI blobs as they are).
    assert_eq!(pulled.manifest_digest.to_string(), image.manifest.digest);
    assert_eq!(pulled.resolved_digest, pulled.manifest_digest);
    assert_eq!(pulled.config_digest.to_string(), image.config.digest);
    assert_eq!(pulled.platform, Platform::new("linux", "amd64", None));
    let layers: Vec<(String, String, u64)> = pulled
        .layers
        .iter()
        .map(|l| (l.digest.to_string(), l.media_type.clone(), l.size))
        .collect();
    let pushed: Vec<(String, String, u64)> = image
        .layers
        .iter()
        .map(|l| (l.digest.clone(), l.media_type.clone(), l.size))
        .collect();
    assert_eq!(layers, pushed);
    assert_eq!(pulled.layers[0].compression, Compression::Gzip);
    assert_eq!(pulled.layers[1].compression, Compression::None);

    // The layout: every blob under its digest, nothing else.
    let mut expected = vec![
        "index.json".to_owned(),
        "oci-layout".to_owned(),
        format!("blobs/sha256/{}", image.manifest.hex()),
        format!("blobs/sha256/{}", image.config.hex()),
    ];
    expected.extend(image.layers.iter().map(|l| format!("blobs/sha256/{}", l.hex())));
    expected.sort();
    assert_eq!(files_in(&dest), expected);
    for file in walk(&dest.join("blobs/sha256")) {
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(
            support::sha256_hex(&bytes),
            file.file_name().unwrap().to_string_lossy()
        );
    }
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dest.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["manifests"][0]["digest"], image.manifest.digest.as_str());
    assert_eq!(
        index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
        "v1"
    );

    // A real tool reads the layout back.
    let inspected = support::skopeo_inspect_layout(&dest);
    assert_eq!(inspected["Digest"], image.manifest.digest.as_str());
    assert_eq!(inspected["Architecture"], "amd64");
    assert_eq!(inspected["Layers"].as_array().unwrap().len(), 2);

    // Progress ended at each layer's full size.
    let progress = progress.lock().unwrap();
    for layer in &image.layers {
        let last = progress
            .iter()
            .rev()
            .find(|(d, _, _)| *d == layer.digest)
            .unwrap();
        assert_eq!((last.1, last.2), (layer.size, layer.size));
    }
    drop(progress);

    // By digest, into another directory; then again into the same one (blobs reused).
    let by_digest = reference(&format!("{}/team/app@{}", registry.host(), image.manifest.digest));
    let dest2 = out.path().join("by-digest");
    let again = client.pull(&by_digest, &dest2).unwrap();
    assert_eq!(again.manifest_digest, pulled.manifest_digest);
    assert_eq!(files_in(&dest2), expected);
    client.pull(&by_digest, &dest2).unwrap();
    assert_eq!(files_in(&dest2), expected);

    // zstd layers: skopeo recompresses to zstd on request.
    let src = tempfile::tempdir().unwrap();
    let zimage = support::build_image(src.path(), "linux/amd64", "zstd");
    support::tag_layout(src.path(), "z", &zimage.manifest);
    support::push(
        src.path(),
        "z",
        &format!("{}/team/app:zstd", registry.host()),
        None,
        &["--dest-compress-format", "zstd"],
    );
    let zpulled = client
        .pull(
            &reference(&format!("{}/team/app:zstd", registry.host())),
            &out.path().join("zstd"),
        )
        .unwrap();
    assert!(
        zpulled.layers.iter().any(|l| l.compression == Compression::Zstd
            && l.media_type == "application/vnd.oci.image.layer.v1.tar+zstd"),
        "{:?}",
        zpulled.layers
    );

    // A missing tag is a clear error.
    let err = client
        .pull(
            &reference(&format!("{}/team/app:nope", registry.host())),
            &out.path().join("x"),
        )
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("manifests/nope"), "{err}");
    // Manifests over the size limit are refused.
    let err = Client::new(Options {
        max_manifest_size: 100,
        ..options()
    })
    .unwrap()
    .pull(
        &reference(&format!("{}/team/app:v1", registry.host())),
        &out.path().join("big"),
    )
    .unwrap_err();
    let text = shown(&err);
    assert!(
        matches!(err, Error::TooLarge { .. }) && text.contains("manifests/v1") && text.contains("100 bytes"),
        "{text}"
    );
    // A destination that is something else is refused.
    std::fs::write(out.path().join("other/file"), "x").unwrap_or_else(|_| {
        std::fs::create_dir(out.path().join("other")).unwrap();
        std::fs::write(out.path().join("other/file"), "x").unwrap();
    });
    let err = client
        .pull(
            &reference(&format!("{}/team/app:v1", registry.host())),
            &out.path().join("other"),
        )
        .unwrap_err();
    assert!(matches!(err, Error::DestinationNotEmpty { .. }), "{err}");
}

#[test]
fn multi_platform_index_picks_the_platform_or_lists_the_ones_it_has() {
    let registry = Registry::start(&Auth::None, None);
    let src = tempfile::tempdir().unwrap();
    let amd64 = support::build_image(src.path(), "linux/amd64", "amd64");
    let arm64 = support::build_image(src.path(), "linux/arm64/v8", "arm64");
    let armv7 = support::build_image(src.path(), "linux/arm/v7", "armv7");
    let index = support::build_index(src.path(), &[amd64.clone(), arm64.clone(), armv7.clone()]);
    support::tag_layout(src.path(), "multi", &index);
    let host = registry.host();
    support::push(src.path(), "multi", &format!("{host}/multi:1"), None, &["--all"]);
    // The same index as a Docker manifest list.
    support::push(
        src.path(),
        "multi",
        &format!("{host}/multi:docker"),
        None,
        &["--all", "--format", "v2s2"],
    );

    let out = tempfile::tempdir().unwrap();
    let pull = |tag: &str, platform: &str, dir: &str| {
        client(Options {
            platform: Some(Platform::parse(platform).unwrap()),
            ..options()
        })
        .pull(&reference(&format!("{host}/multi:{tag}")), &out.path().join(dir))
    };
    let got = pull("1", "linux/arm64", "arm64").unwrap();
    assert_eq!(got.manifest_digest.to_string(), arm64.manifest.digest);
    assert_eq!(got.resolved_digest.to_string(), index.digest);
    assert_eq!(got.platform, Platform::new("linux", "arm64", Some("v8")));
    let inspected = support::skopeo_inspect_layout(&out.path().join("arm64"));
    assert_eq!(inspected["Architecture"], "arm64");

    let got = pull("1", "linux/arm/v7", "armv7").unwrap();
    assert_eq!(got.manifest_digest.to_string(), armv7.manifest.digest);
    let got = pull("1", "linux/amd64", "amd64").unwrap();
    assert_eq!(got.config_digest.to_string(), amd64.config.digest);

    let err = pull("1", "linux/s390x", "s390x").unwrap_err();
    let text = shown(&err);
    assert!(matches!(err, Error::NoMatchingPlatform { .. }), "{text}");
    assert!(
        text.contains("linux/s390x") && text.contains("linux/amd64, linux/arm64/v8, linux/arm/v7"),
        "{text}"
    );
    assert!(!out.path().join("s390x").exists());

    // Docker manifest list and Docker schema 2 manifests, converted by skopeo.
    assert_eq!(
        support::skopeo_inspect_raw(&format!("{host}/multi:docker"))["mediaType"],
        "application/vnd.docker.distribution.manifest.list.v2+json"
    );
    let got = pull("docker", "linux/arm64/v8", "docker-arm64").unwrap();
    assert_eq!(
        got.manifest_media_type,
        "application/vnd.docker.distribution.manifest.v2+json"
    );
    assert_eq!(got.platform.architecture, "arm64");
    assert!(
        got.layers.iter().all(|l| l
            .media_type
            .starts_with("application/vnd.docker.image.rootfs.diff.tar")),
        "{:?}",
        got.layers
    );
    let inspected = support::skopeo_inspect_layout(&out.path().join("docker-arm64"));
    assert_eq!(inspected["Digest"], got.manifest_digest.to_string().as_str());

    // A single-platform image asked for as another platform.
    push_single(&registry, "single", "1", None);
    let err = client(Options {
        platform: Some(Platform::parse("linux/arm64").unwrap()),
        ..options()
    })
    .pull(
        &reference(&format!("{host}/single:1")),
        &out.path().join("single"),
    )
    .unwrap_err();
    assert!(matches!(err, Error::PlatformMismatch { .. }), "{err}");
    assert!(err.to_string().contains("linux/amd64"), "{err}");
}

#[test]
fn a_corrupted_blob_fails_naming_its_digest_and_leaves_no_partial_blob() {
    let registry = Registry::start(&Auth::None, None);
    let image = push_single(&registry, "corrupt", "1", None);
    let victim = &image.layers[0];
    let data = registry.blob_data(victim.hex());
    let mut bytes = std::fs::read(&data).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&data, &bytes).unwrap();

    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("layout");
    let err = client(options())
        .pull(&reference(&format!("{}/corrupt:1", registry.host())), &dest)
        .unwrap_err();
    let text = shown(&err);
    assert!(matches!(err, Error::DigestMismatch { .. }), "{text}");
    assert!(text.contains(&victim.digest), "{text}");
    let files = files_in(&dest);
    assert!(
        !files
            .iter()
            .any(|f| f.contains(victim.hex()) || f.contains(".partial")),
        "{files:?}"
    );
    assert!(!files.contains(&"index.json".to_owned()), "{files:?}");

    // A manifest whose stored bytes changed: by tag (against the registry's
    // Docker-Content-Digest) and by digest.
    let image = push_single(&registry, "corrupt-manifest", "1", None);
    let data = registry.blob_data(image.manifest.hex());
    let text = std::fs::read_to_string(&data).unwrap();
    let size = format!("\"size\":{}", image.layers[0].size);
    assert!(text.contains(&size));
    let changed = text.replace(&size, &format!("\"size\":{}", image.layers[0].size + 1));
    std::fs::write(&data, changed).unwrap();
    for target in [
        format!("{}/corrupt-manifest:1", registry.host()),
        format!("{}/corrupt-manifest@{}", registry.host(), image.manifest.digest),
    ] {
        let err = client(options())
            .pull(&reference(&target), &out.path().join("m"))
            .unwrap_err();
        let text = shown(&err);
        assert!(
            matches!(err, Error::DigestMismatch { what: "manifest", .. }),
            "{text}"
        );
        assert!(text.contains(&image.manifest.digest), "{text}");
    }
    assert!(!out.path().join("m").exists());
}

#[test]
fn plain_http_needs_the_insecure_list_and_tls_needs_the_ca() {
    let plain = Registry::start(&Auth::None, None);
    push_single(&plain, "app", "1", None);
    let out = tempfile::tempdir().unwrap();
    let strict = client(Options {
        insecure_registries: Vec::new(),
        ..options()
    });
    let err = strict
        .pull(
            &reference(&format!("{}/app:1", plain.host())),
            &out.path().join("a"),
        )
        .unwrap_err();
    let text = shown(&err);
    assert!(
        matches!(err, Error::Transport { .. }) && text.contains("--insecure-registry"),
        "{text}"
    );

    let (tls, ca_pem) = support::make_tls();
    let secure = Registry::start(&Auth::None, Some(&tls));
    push_single(&secure, "app", "1", None);
    let target = reference(&format!("{}/app:1", secure.host()));
    let err = strict.pull(&target, &out.path().join("b")).unwrap_err();
    let text = shown(&err);
    assert!(text.contains("CA file") && text.contains("certificate"), "{text}");

    let ca = out.path().join("ca.pem");
    std::fs::write(&ca, ca_pem).unwrap();
    let trusting = client(Options {
        insecure_registries: Vec::new(),
        ca_files: vec![ca],
        ..options()
    });
    let pulled = trusting.pull(&target, &out.path().join("c")).unwrap();
    assert_eq!(pulled.layers.len(), 2);

    // Listing the TLS registry as insecure means plain HTTP, which it does not speak.
    let err = client(options())
        .pull(&target, &out.path().join("d"))
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { .. } | Error::Status { .. }),
        "{err}"
    );
}

#[test]
fn basic_auth_with_given_and_docker_config_credentials() {
    let registry = Registry::start(&Auth::Htpasswd, None);
    let creds = format!("{USER}:{PASSWORD}");
    push_single(&registry, "private/app", "1", Some(&creds));
    let target = reference(&format!("{}/private/app:1", registry.host()));
    let out = tempfile::tempdir().unwrap();

    let err = client(options())
        .pull(&target, &out.path().join("anon"))
        .unwrap_err();
    let text = shown(&err);
    assert!(
        matches!(err, Error::Unauthorized { .. }) && text.contains("none are configured"),
        "{text}"
    );

    let wrong = client(Options {
        credentials: CredentialSource::Basic(BasicCredentials {
            username: USER.to_owned(),
            password: "wrong".to_owned(),
        }),
        ..options()
    });
    let err = wrong.pull(&target, &out.path().join("wrong")).unwrap_err();
    let text = shown(&err);
    assert!(
        matches!(err, Error::Unauthorized { .. })
            && text.contains("refused the credentials")
            && text.contains(USER)
            && !text.contains("wrong"),
        "{text}"
    );

    let right = client(Options {
        credentials: CredentialSource::Basic(BasicCredentials {
            username: USER.to_owned(),
            password: PASSWORD.to_owned(),
        }),
        ..options()
    });
    right.pull(&target, &out.path().join("right")).unwrap();

    // A Docker config directory: `auth` in base64, keyed with a scheme and a path.
    let docker = tempfile::tempdir().unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(&creds);
    std::fs::write(
        docker.path().join("config.json"),
        format!(
            r#"{{"auths":{{"http://{}/v2/":{{"auth":"{auth}"}},"other.example":{{"auth":"eDp5"}}}}}}"#,
            registry.host()
        ),
    )
    .unwrap();
    let from_config = client(Options {
        credentials: CredentialSource::DockerConfigDir(docker.path().to_owned()),
        ..options()
    });
    let pulled = from_config.pull(&target, &out.path().join("config")).unwrap();
    assert_eq!(pulled.layers.len(), 2);

    // Each case below uses a new client: a client keeps its authorisation for a
    // repository once it has one.
    let config_client = || {
        client(Options {
            credentials: CredentialSource::DockerConfigDir(docker.path().to_owned()),
            ..options()
        })
    };
    // username/password fields.
    std::fs::write(
        docker.path().join("config.json"),
        format!(
            r#"{{"auths":{{"{}":{{"username":"{USER}","password":"{PASSWORD}"}}}}}}"#,
            registry.host()
        ),
    )
    .unwrap();
    config_client()
        .pull(&target, &out.path().join("config2"))
        .unwrap();

    // No entry for this registry, and a credential store: anonymous, and the error says
    // why.
    std::fs::write(
        docker.path().join("config.json"),
        r#"{"auths":{"other.example":{"auth":"eDp5"}},"credsStore":"pass"}"#,
    )
    .unwrap();
    let err = config_client()
        .pull(&target, &out.path().join("store"))
        .unwrap_err();
    let text = shown(&err);
    assert!(
        text.contains("none are configured")
            && text.contains("config.json has no \"auths\" entry for 127.0.0.1:")
            && text.contains("credential store \"pass\" is not supported"),
        "{text}"
    );

    // A credential helper for this registry is refused by name.
    std::fs::write(
        docker.path().join("config.json"),
        format!(r#"{{"credHelpers":{{"{}":"secretservice"}}}}"#, registry.host()),
    )
    .unwrap();
    let err = config_client()
        .pull(&target, &out.path().join("helper"))
        .unwrap_err();
    let text = shown(&err);
    assert!(matches!(err, Error::CredentialHelper { .. }), "{text}");
    assert!(
        text.contains("secretservice") && text.contains("not supported"),
        "{text}"
    );
}

#[test]
fn token_auth_asks_for_pull_scope_and_reports_refused_credentials() {
    let tokens = TokenServer::start();
    let registry = Registry::start(
        &Auth::Token {
            realm: tokens.realm.clone(),
            cert_pem: tokens.cert_pem.clone(),
        },
        None,
    );
    let creds = format!("{USER}:{PASSWORD}");
    push_single(&registry, "tok/app", "1", Some(&creds));
    tokens.seen.lock().unwrap().clear();
    let target = reference(&format!("{}/tok/app:1", registry.host()));
    let out = tempfile::tempdir().unwrap();

    let good = client(Options {
        credentials: CredentialSource::Basic(BasicCredentials {
            username: USER.to_owned(),
            password: PASSWORD.to_owned(),
        }),
        ..options()
    });
    let pulled = good.pull(&target, &out.path().join("ok")).unwrap();
    assert_eq!(pulled.layers.len(), 2);
    let seen = tokens.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "one token for the whole pull: {seen:?}");
    assert_eq!(
        seen[0],
        (
            vec!["repository:tok/app:pull".to_owned()],
            support::TOKEN_SERVICE.to_owned(),
            Some(USER.to_owned())
        )
    );

    let bad = client(Options {
        credentials: CredentialSource::Basic(BasicCredentials {
            username: USER.to_owned(),
            password: "nope".to_owned(),
        }),
        ..options()
    });
    let err = bad.pull(&target, &out.path().join("bad")).unwrap_err();
    let text = shown(&err);
    assert!(
        matches!(err, Error::Unauthorized { .. })
            && text.contains("token service")
            && text.contains("refused the credentials")
            && text.contains(USER),
        "{text}"
    );

    // Anonymous tokens: granted for a public repository, refused for this one.
    push_single(&registry, "public/app", "1", Some(&creds));
    tokens.seen.lock().unwrap().clear();
    let anonymous = client(options());
    anonymous
        .pull(
            &reference(&format!("{}/public/app:1", registry.host())),
            &out.path().join("public"),
        )
        .unwrap();
    assert_eq!(
        tokens.seen.lock().unwrap().clone(),
        vec![(
            vec!["repository:public/app:pull".to_owned()],
            support::TOKEN_SERVICE.to_owned(),
            None
        )]
    );
    let err = anonymous.pull(&target, &out.path().join("anon")).unwrap_err();
    assert!(err.to_string().contains("credentials are needed"), "{err}");

    // The token service over plain HTTP is refused unless its host is allowed.
    let strict = client(Options {
        insecure_registries: vec![registry.host()],
        credentials: CredentialSource::Basic(BasicCredentials {
            username: USER.to_owned(),
            password: PASSWORD.to_owned(),
        }),
        ..options()
    });
    let err = strict.pull(&target, &out.path().join("strict")).unwrap_err();
    assert!(matches!(err, Error::InsecureRefused { .. }), "{err}");
}

#[test]
fn transient_failures_are_retried_and_give_up_after_the_limit() {
    let registry = Registry::start(&Auth::None, None);
    push_single(&registry, "flaky", "1", None);
    let proxy = Proxy::start(registry.host(), 2, false, None);
    let target = reference(&format!("127.0.0.1:{}/flaky:1", proxy.port));
    let out = tempfile::tempdir().unwrap();

    let pulled = client(options()).pull(&target, &out.path().join("ok")).unwrap();
    assert_eq!(pulled.layers.len(), 2);
    // 2 refusals + manifest + config + 2 layers.
    assert_eq!(proxy.requests.load(Ordering::SeqCst), 6);

    proxy.failures_left.store(5, Ordering::SeqCst);
    let err = client(Options {
        retries: 2,
        ..options()
    })
    .pull(&target, &out.path().join("fail"))
    .unwrap_err();
    let text = shown(&err);
    assert!(matches!(err, Error::Status { status: 503, .. }), "{text}");
    assert!(text.contains("try again"), "{text}");
    assert_eq!(proxy.failures_left.load(Ordering::SeqCst), 2);

    // Connections closed without an answer are retried too.
    proxy.failures_left.store(0, Ordering::SeqCst);
    proxy.hang_ups.store(2, Ordering::SeqCst);
    let before = proxy.requests.load(Ordering::SeqCst);
    client(options())
        .pull(&target, &out.path().join("hang-ups"))
        .unwrap();
    assert_eq!(proxy.requests.load(Ordering::SeqCst) - before, 6);

    // Retry-After is honoured (the backoff alone would be 10 ms).
    proxy.failures_left.store(1, Ordering::SeqCst);
    proxy.retry_after.store(1, Ordering::SeqCst);
    let started = Instant::now();
    client(Options {
        max_retry_delay: Duration::from_secs(5),
        ..options()
    })
    .pull(&target, &out.path().join("later"))
    .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    // A download that breaks off is fetched again; nothing half-written stays behind.
    proxy.truncate_blobs.store(2, Ordering::SeqCst);
    let before = proxy.requests.load(Ordering::SeqCst);
    let dest = out.path().join("broken");
    client(options()).pull(&target, &dest).unwrap();
    assert_eq!(proxy.requests.load(Ordering::SeqCst) - before, 6);
    assert!(files_in(&dest).iter().all(|f| !f.contains(".partial")));
    proxy.truncate_blobs.store(10, Ordering::SeqCst);
    let err = client(options())
        .pull(&target, &out.path().join("broken-for-good"))
        .unwrap_err();
    let text = shown(&err);
    assert!(
        text.contains("broke off") && text.contains("after 3 retries"),
        "{text}"
    );
}

#[test]
fn redirected_blob_downloads_do_not_carry_the_authorization_header() {
    let registry = Registry::start(&Auth::Htpasswd, None);
    let creds = format!("{USER}:{PASSWORD}");
    push_single(&registry, "redir", "1", Some(&creds));
    let basic = BasicCredentials {
        username: USER.to_owned(),
        password: PASSWORD.to_owned(),
    };
    // The storage side authorises on its own, as a presigned URL would.
    let storage_auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(&creds)
    );
    let proxy = Proxy::start(registry.host(), 0, true, Some(storage_auth));
    let target = reference(&format!("127.0.0.1:{}/redir:1", proxy.port));
    let out = tempfile::tempdir().unwrap();
    let pulled = client(Options {
        credentials: CredentialSource::Basic(basic),
        ..options()
    })
    .pull(&target, &out.path().join("ok"))
    .unwrap();
    assert_eq!(pulled.layers.len(), 2);
    let saw = proxy.storage_saw_auth.lock().unwrap().clone();
    assert_eq!(
        saw,
        vec![false, false, false],
        "config + 2 layers, none with Authorization"
    );

    // A redirect to plain HTTP on a host that is not allowed is refused.
    let err = client(Options {
        insecure_registries: vec!["127.0.0.1".to_owned()],
        credentials: CredentialSource::Basic(BasicCredentials {
            username: USER.to_owned(),
            password: PASSWORD.to_owned(),
        }),
        ..options()
    })
    .pull(&target, &out.path().join("refused"))
    .unwrap_err();
    assert!(
        matches!(&err, Error::InsecureRefused { host, .. } if host.starts_with("127.0.0.2")),
        "{err}"
    );
}
