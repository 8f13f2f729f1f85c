//! `rampart admit`: a Kubernetes validating admission webhook that judges objects with the
//! same checks, configuration and exceptions as `rampart scan`.
//!
//! - [`review`]: `AdmissionReview` requests and responses (`v1` and `v1beta1`).
//! - [`decide`]: from a request to a decision (modes, break-glass, exclusions).
//! - [`server`]: HTTPS with certificate rotation, keep-alive, limits, reloads.
//! - [`audit`] and [`metrics`]: the decision log and the Prometheus endpoint.

pub mod audit;
pub mod decide;
pub mod http;
pub mod metrics;
pub mod review;
pub mod server;

pub use decide::{Decision, Judged, Namespaces, Policy, Verdict, judge};
pub use review::{Answer, Review};
pub use server::{DEFAULT_MAX_BODY, Options, serve};
