//! Pulls container images from registries that speak the OCI distribution protocol and
//! writes them as OCI image layout directories (`oci-layout`, `index.json`,
//! `blobs/sha256/<hex>`) for Rampart's image reader.
//!
//! - [`Reference`]: `[registry/]repository[:tag][@digest]`, normalised like Docker
//!   (`nginx` is `docker.io/library/nginx:latest`).
//! - [`Client`] with [`Options`]: HTTPS (plain HTTP only for hosts listed as insecure),
//!   anonymous, basic and bearer-token authentication, credentials from a Docker
//!   `config.json`, retries with backoff, redirects, platform selection in
//!   multi-platform indexes.
//! - [`Client::pull`] returns a [`Pulled`] summary. Every manifest and blob is checked
//!   against its digest while it streams; a blob reaches `blobs/` only once verified.
//!
//! This crate does network and file I/O on purpose; it writes nothing outside the
//! destination directory, never decompresses or unpacks layers, and never executes
//! credential helpers.
//!
//! ```no_run
//! use rampart_registry::{Client, CredentialSource, Options, Platform, Reference};
//!
//! # fn main() -> Result<(), rampart_registry::Error> {
//! let client = Client::new(Options {
//!     platform: Some(Platform::parse("linux/arm64")?),
//!     credentials: CredentialSource::docker_config_from_env(),
//!     ..Options::default()
//! })?;
//! let pulled = client.pull(&Reference::parse("nginx:1.27")?, "nginx-layout".as_ref())?;
//! println!("{} -> {}", pulled.reference, pulled.manifest_digest);
//! # Ok(())
//! # }
//! ```

mod auth;
mod client;
mod digest;
mod error;
mod layout;
pub mod manifest;
mod platform;
mod reference;

pub use auth::{BasicCredentials, CredentialSource};
pub use client::{
    Client, DEFAULT_MAX_MANIFEST_SIZE, MAX_CONFIG_SIZE, Options, Progress, ProgressFn, Pulled, PulledLayer,
};
pub use digest::{Algorithm, Digest};
pub use error::Error;
pub use manifest::Compression;
pub use platform::Platform;
pub use reference::{DOCKER_HUB, DOCKER_HUB_API_HOST, Reference};
