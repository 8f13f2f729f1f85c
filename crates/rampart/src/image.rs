//! `rampart image inventory`: what is inside an image, as a table, Rampart's JSON,
//! CycloneDX or SPDX; `rampart image scan`: its known vulnerabilities (see `vulns`).

use std::collections::HashMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use rampart_image::inventory::Inventory;
use rampart_image::layer::Limits;
use rampart_image::sbom::{self, Subject};
use rampart_image::source::{self, ImageInfo, Platform, Source, SourceKind};

pub const IMAGE_HELP: &str = "\
Image references:
  REGISTRY/REPO:TAG, REPO@sha256:...   pulled from a registry (Docker Hub when no
                                       registry is named: `debian:12`)
  docker-archive:FILE[:NAME:TAG]       a `docker save` tar
  oci-archive:FILE[:TAG]               a tar of an OCI image layout
  oci:DIR[:TAG]                        an OCI image layout directory
  dir:ROOTFS                           an unpacked root filesystem

Registry credentials come from $DOCKER_CONFIG/config.json (default ~/.docker/config.json,
`auths` entries as written by `docker login`); credential helpers are not supported.

Output formats (--format, repeatable; FORMAT or FORMAT=FILE):
  text (default), json (docs/inventory-json.md), cyclonedx (CycloneDX 1.6 JSON),
  spdx (SPDX 2.3 JSON). SOURCE_DATE_EPOCH fixes the SBOM creation time.

Example: rampart image inventory docker-archive:app.tar --format cyclonedx=sbom.cdx.json";

#[derive(Debug, Args)]
pub struct ImageArgs {
    #[command(subcommand)]
    pub command: ImageCommand,
}

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// List every package in an image (OS and language packages) with its purl, licence
    /// and location; write SBOMs.
    #[command(after_long_help = IMAGE_HELP)]
    Inventory(InventoryArgs),
    /// Match every package of an image against the vulnerability database (`rampart db`)
    /// and report the findings.
    #[command(after_long_help = crate::vulns::SCAN_HELP)]
    Scan(ScanImageArgs),
}

#[derive(Debug, Args)]
pub struct ScanImageArgs {
    /// The image (see `rampart image inventory --help` for the reference forms).
    pub image: String,

    #[command(flatten)]
    pub pull: PullArgs,

    #[command(flatten)]
    pub vuln: crate::vulns::VulnArgs,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// The image (see the reference forms below).
    pub image: String,

    #[command(flatten)]
    pub pull: PullArgs,

    /// Output format, optionally with a file: FORMAT or FORMAT=FILE; repeatable.
    #[arg(long, short = 'f', value_name = "FORMAT[=FILE]", default_value = "text")]
    pub format: Vec<String>,

    /// Write the output to FILE instead of stdout (for a single --format without =FILE).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// How an image is found and pulled: shared by every image command.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// The platform to pick from a multi-platform image: OS/ARCH[/VARIANT]
    /// [default: the host's, linux/amd64 or linux/arm64 ...].
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,

    /// Talk plain HTTP to this registry (HOST or HOST:PORT); repeatable. Never implied.
    #[arg(long, value_name = "HOST")]
    pub insecure_registry: Vec<String>,

    /// Trust this CA certificate file (PEM) for registries, besides the system's; repeatable.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Vec<PathBuf>,

    /// No progress on the terminal.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

fn formats(args: &InventoryArgs) -> Result<Vec<(sbom::Format, Option<PathBuf>)>> {
    let names = [
        ("text", sbom::Format::Text),
        ("json", sbom::Format::Json),
        ("cyclonedx", sbom::Format::CycloneDxJson),
        ("cyclonedx-json", sbom::Format::CycloneDxJson),
        ("spdx", sbom::Format::SpdxJson),
        ("spdx-json", sbom::Format::SpdxJson),
    ];
    crate::run::output_specs(&args.format, args.output.as_ref(), &names)
}

pub fn run(args: &ImageArgs) -> Result<u8> {
    match &args.command {
        ImageCommand::Inventory(a) => inventory_cmd(a),
        ImageCommand::Scan(a) => crate::vulns::image_scan(&a.image, &a.pull, &a.vuln),
    }
}

fn inventory_cmd(args: &InventoryArgs) -> Result<u8> {
    let outputs = formats(args)?;
    let options = sbom::Options::from_env()?;
    let (info, inventory) = read_image(&args.image, &args.pull)?;
    let subject = Subject::from_info(&info);
    for (format, file) in &outputs {
        crate::run::write_streamed(file.as_deref(), |w| {
            sbom::write(*format, &inventory, &subject, &options, w)
        })?;
    }
    let to_terminal_text = outputs
        .iter()
        .any(|(f, file)| *f == sbom::Format::Text && file.is_none());
    if !to_terminal_text && !inventory.warnings.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "warning: {} problems while reading the image (listed in the report)",
            inventory.warnings.len()
        );
    }
    Ok(0)
}

/// Pulls (for registry references) and reads an image with every cataloger.
pub fn read_image(reference: &str, pull: &PullArgs) -> Result<(ImageInfo, Inventory)> {
    let platform = pull
        .platform
        .as_deref()
        .map(|p| {
            Platform::parse(p)
                .with_context(|| format!("--platform {p:?}: expected OS/ARCH[/VARIANT], such as linux/arm64"))
        })
        .transpose()?;
    let source = Source::parse(reference);
    let catalogers = rampart_image::catalogers::all();
    let show = !pull.quiet && std::io::stderr().is_terminal();
    let meter = Meter::new(show);
    let (info, inventory) = if let Source::Registry(name) = &source {
        let dir = tempfile::Builder::new()
            .prefix("rampart-image-")
            .tempdir()
            .context("cannot create a temporary directory for the pull")?;
        let pulled = pull_image(name, pull, dir.path(), &meter)?;
        let layout = Source::OciLayout {
            path: dir.path().to_path_buf(),
            tag: None,
        };
        // The pull checked every blob against its digest as it arrived.
        let image = source::open(&layout, platform.as_ref())?.blobs_verified();
        let inventory = image.inventory(&catalogers, Limits::default(), &|_, _| {})?;
        let mut info = image.info;
        info.source = SourceKind::Registry;
        info.reference = pulled.reference;
        info.manifest_digest = Some(pulled.manifest_digest.to_string());
        (info, inventory)
    } else {
        let result = source::inventory_source(
            &source,
            platform.as_ref(),
            &catalogers,
            Limits::default(),
            &|layer, bytes| meter.update(&format!("layer {layer}"), bytes, 0, "reading"),
        );
        meter.finish();
        let (mut info, inventory) = result?;
        info.reference = reference.to_string();
        (info, inventory)
    };
    Ok((info, inventory))
}

fn pull_image(
    name: &str,
    pull: &PullArgs,
    dest: &std::path::Path,
    meter: &Arc<Meter>,
) -> Result<rampart_registry::Pulled> {
    let reference = rampart_registry::Reference::parse(name)?;
    let platform = pull
        .platform
        .as_deref()
        .map(rampart_registry::Platform::parse)
        .transpose()?;
    let progress_meter = Arc::clone(meter);
    let progress: rampart_registry::ProgressFn = Arc::new(move |p: rampart_registry::Progress<'_>| {
        progress_meter.update(&p.digest.to_string(), p.received, p.total, "pulling");
    });
    let client = rampart_registry::Client::new(rampart_registry::Options {
        platform,
        insecure_registries: pull.insecure_registry.clone(),
        credentials: rampart_registry::CredentialSource::docker_config_from_env(),
        ca_files: pull.ca_file.clone(),
        progress: Some(progress),
        ..rampart_registry::Options::default()
    })?;
    let pulled = client.pull(&reference, dest);
    meter.finish();
    Ok(pulled?)
}

/// Bytes done per layer, shown as one line on standard error (only on a terminal).
struct Meter {
    show: bool,
    state: Mutex<MeterState>,
}

struct MeterState {
    layers: HashMap<String, (u64, u64)>,
    last: Option<Instant>,
    drawn: bool,
}

impl Meter {
    fn new(show: bool) -> Arc<Self> {
        Arc::new(Self {
            show,
            state: Mutex::new(MeterState {
                layers: HashMap::new(),
                last: None,
                drawn: false,
            }),
        })
    }

    fn update(&self, layer: &str, done: u64, total: u64, verb: &str) {
        if !self.show {
            return;
        }
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        s.layers.insert(layer.to_string(), (done, total));
        if s.last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
            return;
        }
        s.last = Some(Instant::now());
        let done: u64 = s.layers.values().map(|v| v.0).sum();
        let total: u64 = s.layers.values().map(|v| v.1).sum();
        #[allow(clippy::cast_precision_loss)]
        let mib = |b: u64| b as f64 / f64::from(1 << 20);
        let line = if total > 0 {
            format!(
                "{verb} {} layers: {:.1} of {:.1} MiB",
                s.layers.len(),
                mib(done),
                mib(total)
            )
        } else {
            format!("{verb} {} layers: {:.1} MiB", s.layers.len(), mib(done))
        };
        s.drawn = true;
        let _ = write!(std::io::stderr(), "\r\x1b[2K{line}");
    }

    fn finish(&self) {
        if let Ok(mut s) = self.state.lock()
            && s.drawn
        {
            s.drawn = false;
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbom_format_names_are_accepted() {
        let args = InventoryArgs {
            image: "dir:/".into(),
            pull: PullArgs {
                platform: None,
                insecure_registry: vec![],
                ca_file: vec![],
                quiet: true,
            },
            format: vec![
                "cyclonedx=a.json".into(),
                "spdx-json=b.json".into(),
                "text".into(),
            ],
            output: None,
        };
        let f = formats(&args).unwrap();
        assert_eq!(f[0].0, sbom::Format::CycloneDxJson);
        assert_eq!(f[1].0, sbom::Format::SpdxJson);
        assert_eq!(f[2], (sbom::Format::Text, None));
    }
}
