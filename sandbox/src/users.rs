//! Technical users (one per API token), the workspace they belong to, and
//! the directory that resolves API tokens to users.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use fastrand::Rng;

use crate::ids;

/// The permission role a technical user holds in its workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Full read and write access.
    Admin,
    /// Read and write access to the inventory.
    Member,
    /// Read-only access: writes get 403.
    Viewer,
}

impl Role {
    /// The role as the vendor spells it in the JWT (`ADMIN`, `MEMBER`, `VIEWER`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Member => "MEMBER",
            Role::Viewer => "VIEWER",
        }
    }

    /// Whether this role may create or change fact sheets.
    pub fn can_write(self) -> bool {
        !matches!(self, Role::Viewer)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A technical user of the sandbox's workspace, identified by its API token.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// The API token that this user exchanges for access tokens.
    pub api_token: String,
    /// The user name (`sub` and `principal.username` of its access tokens).
    pub username: String,
    /// The workspace permission role (`principal.permission.role`).
    pub role: Role,
    /// The id of the workspace the token is bound to.
    pub workspace_id: String,
    /// The name of that workspace.
    pub workspace_name: String,
    /// The user's id (`principal.id`).
    pub user_id: String,
    /// The id of the user's workspace permission (`principal.permission.id`).
    pub permission_id: String,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print a whole API token; a short prefix is enough to tell users apart.
        let prefix: String = self.api_token.chars().take(4).collect();
        f.debug_struct("User")
            .field("api_token", &format_args!("{prefix}…"))
            .field("username", &self.username)
            .field("role", &self.role)
            .field("workspace_id", &self.workspace_id)
            .field("workspace_name", &self.workspace_name)
            .finish_non_exhaustive()
    }
}

/// The single workspace (and its account and contract) that the sandbox serves.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    pub id: String,
    pub name: String,
    pub account_id: String,
    pub account_name: String,
    pub contract_id: String,
}

impl Workspace {
    /// The sandbox workspace; ids are deterministic so that runs compare.
    pub(crate) fn sandbox() -> Workspace {
        let mut rng = Rng::with_seed(0x5eed_0001);
        Workspace {
            id: ids::uuid_v4(&mut rng),
            name: "sandbox".to_owned(),
            account_id: ids::uuid_v4(&mut rng),
            account_name: "Sandbox Corp".to_owned(),
            contract_id: ids::uuid_v4(&mut rng),
        }
    }
}

/// All technical users, their revocation flags and the API-token index.
pub(crate) struct Directory {
    users: Vec<User>,
    by_token: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    revoked: Vec<AtomicBool>,
}

impl Directory {
    /// Builds the directory: the given admin and viewer tokens, and a random
    /// one of each kind when none was given.
    pub(crate) fn new(workspace: &Workspace, admins: &[String], viewers: &[String]) -> Directory {
        let mut specs: Vec<(Role, String)> = Vec::new();
        let admins = if admins.is_empty() {
            vec![ids::api_token()]
        } else {
            admins.to_vec()
        };
        let viewers = if viewers.is_empty() {
            vec![ids::api_token()]
        } else {
            viewers.to_vec()
        };
        specs.extend(admins.into_iter().map(|t| (Role::Admin, t)));
        specs.extend(viewers.into_iter().map(|t| (Role::Viewer, t)));

        let mut rng = Rng::with_seed(0x5eed_0002);
        let mut users = Vec::new();
        let mut counts: HashMap<Role, usize> = HashMap::new();
        for (role, api_token) in specs {
            let n = counts.entry(role).or_default();
            *n += 1;
            let base = format!("sandbox-{}", role.as_str().to_ascii_lowercase());
            let username = if *n == 1 { base } else { format!("{base}-{n}") };
            users.push(User {
                api_token,
                username,
                role,
                workspace_id: workspace.id.clone(),
                workspace_name: workspace.name.clone(),
                user_id: ids::uuid_v4(&mut rng),
                permission_id: ids::uuid_v4(&mut rng),
            });
        }
        let mut by_token = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, u) in users.iter().enumerate() {
            by_token.entry(u.api_token.clone()).or_insert(i);
            by_name.insert(u.username.clone(), i);
        }
        let revoked = users.iter().map(|_| AtomicBool::new(false)).collect();
        Directory {
            users,
            by_token,
            by_name,
            revoked,
        }
    }

    /// All users, admins first.
    pub(crate) fn users(&self) -> &[User] {
        &self.users
    }

    /// The user with index `i`.
    pub(crate) fn user(&self, i: usize) -> &User {
        &self.users[i]
    }

    /// The index of the first user with `role`.
    pub(crate) fn first_index(&self, role: Role) -> usize {
        self.users
            .iter()
            .position(|u| u.role == role)
            .expect("the directory always holds an admin and a viewer")
    }

    /// The first user with `role`.
    pub(crate) fn first_with(&self, role: Role) -> &User {
        &self.users[self.first_index(role)]
    }

    /// Resolves an API token to a user index, unless unknown or revoked.
    pub(crate) fn authenticate(&self, api_token: &str) -> Option<usize> {
        let i = *self.by_token.get(api_token)?;
        (!self.revoked[i].load(Ordering::Relaxed)).then_some(i)
    }

    /// The index of the user called `username`.
    pub(crate) fn by_username(&self, username: &str) -> Option<usize> {
        self.by_name.get(username).copied()
    }

    /// Revokes an API token: later exchanges with it get 401. Unknown tokens are ignored.
    pub(crate) fn revoke(&self, api_token: &str) {
        if let Some(&i) = self.by_token.get(api_token) {
            self.revoked[i].store(true, Ordering::Relaxed);
        }
    }
}
