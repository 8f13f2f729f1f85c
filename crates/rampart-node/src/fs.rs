//! The node's filesystem, seen from a root directory: `/` on the node itself, the host
//! filesystem mounted into a pod, or a copy of a node's files in CI.
//!
//! Every path the benchmark names is absolute on the node. It is resolved inside the root
//! the way the node would resolve it: a symbolic link to an absolute path is followed from
//! the root again, never out of it, and loops end with an error instead of hanging.

use std::fmt;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};

/// Files larger than this are not read (a node's configuration files are kilobytes).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Symbolic links followed while resolving one path (the kernel allows 40).
const MAX_LINKS: usize = 40;

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    /// Too many symbolic links: a loop.
    LinkLoop,
    TooLarge(u64),
    NotUtf8,
    NotAFile,
    Io(String),
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsError::NotFound => f.write_str("not found"),
            FsError::LinkLoop => write!(f, "more than {MAX_LINKS} symbolic links (a loop)"),
            FsError::TooLarge(n) => write!(f, "{n} bytes, larger than the {MAX_FILE_BYTES}-byte limit"),
            FsError::NotUtf8 => f.write_str("not UTF-8 text"),
            FsError::NotAFile => f.write_str("not a regular file"),
            FsError::Io(e) => f.write_str(e),
        }
    }
}

/// Mode and owner of a file, with the owner's names from the node's own
/// `/etc/passwd` and `/etc/group` when they list them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMeta {
    /// Permission bits only (`0o644`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub user: Option<String>,
    pub group: Option<String>,
    pub is_dir: bool,
}

impl FileMeta {
    /// `user:group`, by name when the node knows the name, else by number.
    pub fn owner(&self) -> String {
        let u = self.user.clone().unwrap_or_else(|| self.uid.to_string());
        let g = self.group.clone().unwrap_or_else(|| self.gid.to_string());
        format!("{u}:{g}")
    }
}

/// The node's filesystem under a root directory.
#[derive(Debug, Clone)]
pub struct NodeFs {
    root: PathBuf,
    users: Vec<(u32, String)>,
    groups: Vec<(u32, String)>,
}

impl NodeFs {
    pub fn new(root: impl Into<PathBuf>) -> NodeFs {
        let mut fs = NodeFs {
            root: root.into(),
            users: Vec::new(),
            groups: Vec::new(),
        };
        fs.users = fs.read("/etc/passwd").map(|t| id_names(&t)).unwrap_or_default();
        fs.groups = fs.read("/etc/group").map(|t| id_names(&t)).unwrap_or_default();
        fs
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The host path of node path `path`, with every symbolic link resolved inside the root.
    pub fn resolve(&self, path: &str) -> Result<PathBuf, FsError> {
        let mut pending: Vec<String> = Vec::new();
        push_components(&mut pending, path);
        let mut resolved: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(part) = pending.pop() {
            match part.as_str() {
                "." | "" => continue,
                ".." => {
                    resolved.pop();
                    continue;
                }
                _ => {}
            }
            let candidate = self.host_path(&resolved).join(&part);
            match std::fs::symlink_metadata(&candidate) {
                Ok(m) if m.file_type().is_symlink() => {
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(FsError::LinkLoop);
                    }
                    let target = std::fs::read_link(&candidate).map_err(|e| FsError::Io(e.to_string()))?;
                    let target = target.to_string_lossy().into_owned();
                    if target.starts_with('/') {
                        resolved.clear();
                    }
                    push_components(&mut pending, &target);
                }
                Ok(_) => resolved.push(part),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    // The rest of the path cannot exist either.
                    return Err(FsError::NotFound);
                }
                Err(e) => return Err(FsError::Io(e.to_string())),
            }
        }
        Ok(self.host_path(&resolved))
    }

    fn host_path(&self, parts: &[String]) -> PathBuf {
        let mut p = self.root.clone();
        for part in parts {
            p.push(part);
        }
        p
    }

    /// Whether node path `path` exists (after resolving links).
    pub fn exists(&self, path: &str) -> bool {
        self.resolve(path).is_ok()
    }

    /// The text of a regular file.
    pub fn read(&self, path: &str) -> Result<String, FsError> {
        let host = self.resolve(path)?;
        let meta = std::fs::metadata(&host).map_err(|e| FsError::Io(e.to_string()))?;
        if !meta.is_file() {
            return Err(FsError::NotAFile);
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(FsError::TooLarge(meta.len()));
        }
        let bytes = std::fs::read(&host).map_err(|e| FsError::Io(e.to_string()))?;
        String::from_utf8(bytes).map_err(|_| FsError::NotUtf8)
    }

    /// Mode and owner of the file or directory itself (links resolved).
    pub fn meta(&self, path: &str) -> Result<FileMeta, FsError> {
        let host = self.resolve(path)?;
        let m = std::fs::metadata(&host).map_err(|e| FsError::Io(e.to_string()))?;
        Ok(FileMeta {
            mode: m.mode() & 0o7777,
            uid: m.uid(),
            gid: m.gid(),
            user: self
                .users
                .iter()
                .find(|(id, _)| *id == m.uid())
                .map(|(_, n)| n.clone()),
            group: self
                .groups
                .iter()
                .find(|(id, _)| *id == m.gid())
                .map(|(_, n)| n.clone()),
            is_dir: m.is_dir(),
        })
    }

    /// The node paths of the entries of a directory, sorted (empty when it does not exist).
    pub fn list(&self, dir: &str) -> Vec<String> {
        let Ok(host) = self.resolve(dir) else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(host) else {
            return Vec::new();
        };
        let base = dir.trim_end_matches('/');
        let mut out: Vec<String> = entries
            .filter_map(Result::ok)
            .map(|e| format!("{base}/{}", e.file_name().to_string_lossy()))
            .collect();
        out.sort();
        out
    }

    /// Every file under `dir`, recursively, as node paths, sorted; at most `limit` of them.
    pub fn walk(&self, dir: &str, limit: usize) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![dir.trim_end_matches('/').to_string()];
        while let Some(d) = stack.pop() {
            for p in self.list(&d) {
                if out.len() >= limit {
                    out.sort();
                    return out;
                }
                // Entries are not followed through links into directories: a link loop in
                // a PKI directory must not make the walk endless.
                let host = self.host_path(&[]).join(p.trim_start_matches('/'));
                match std::fs::symlink_metadata(&host) {
                    Ok(m) if m.is_dir() => stack.push(p),
                    Ok(_) => out.push(p),
                    Err(_) => {}
                }
            }
        }
        out.sort();
        out
    }
}

fn push_components(pending: &mut Vec<String>, path: &str) {
    // `pending` is a stack: push in reverse so the first component is popped first.
    let parts: Vec<String> = Path::new(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect();
    pending.extend(parts.into_iter().rev());
}

/// `name:x:id:...` lines of /etc/passwd or /etc/group.
fn id_names(text: &str) -> Vec<(u32, String)> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            let _ = f.next()?;
            let id = f.next()?.parse().ok()?;
            (!name.is_empty() && !name.starts_with('#')).then(|| (id, name.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn absolute_links_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("etc/kubernetes")).unwrap();
        std::fs::create_dir_all(root.join("srv/conf")).unwrap();
        std::fs::write(root.join("srv/conf/admin.conf"), "inside").unwrap();
        // On the node, /etc/kubernetes/admin.conf -> /srv/conf/admin.conf.
        symlink("/srv/conf/admin.conf", root.join("etc/kubernetes/admin.conf")).unwrap();
        // A link that climbs above the root ends at the root.
        symlink("../../../../../../srv/conf/admin.conf", root.join("etc/up.conf")).unwrap();
        let fs = NodeFs::new(root);
        assert_eq!(fs.read("/etc/kubernetes/admin.conf").unwrap(), "inside");
        assert_eq!(fs.read("/etc/up.conf").unwrap(), "inside");
        assert_eq!(fs.read("/etc/missing"), Err(FsError::NotFound));
    }

    #[test]
    fn link_loops_end_with_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        symlink("/etc/b", root.join("etc/a")).unwrap();
        symlink("/etc/a", root.join("etc/b")).unwrap();
        let fs = NodeFs::new(root);
        assert_eq!(fs.read("/etc/a"), Err(FsError::LinkLoop));
        assert!(!fs.exists("/etc/a"));
    }

    #[test]
    fn owners_are_named_from_the_nodes_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        let me = std::fs::metadata(root).unwrap();
        std::fs::write(
            root.join("etc/passwd"),
            format!("# comment\nnodeuser:x:{}:{}::/:/bin/false\n", me.uid(), me.gid()),
        )
        .unwrap();
        std::fs::write(root.join("etc/group"), format!("nodegroup:x:{}:\n", me.gid())).unwrap();
        std::fs::write(root.join("etc/f"), "x").unwrap();
        let fs = NodeFs::new(root);
        let m = fs.meta("/etc/f").unwrap();
        assert_eq!(m.owner(), "nodeuser:nodegroup");
        assert!(!m.is_dir);
    }
}
