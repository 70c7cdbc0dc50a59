//! The claim set of an access token, in the vendor's shape and field order.

use serde::Serialize;

use crate::users::{User, Workspace};

/// The issuer the vendor's EU region puts in `iss`.
pub(crate) const ISSUER: &str = "https://eu-svc.leanix.net";
/// The value of the `region` claim.
pub(crate) const REGION: &str = "eu";

/// The claims of an access token.
#[derive(Serialize)]
pub(crate) struct Claims<'a> {
    sub: &'a str,
    principal: Principal<'a>,
    iss: &'a str,
    jti: &'a str,
    exp: u64,
    #[serde(rename = "instanceUrl")]
    instance_url: &'a str,
    region: &'a str,
}

#[derive(Serialize)]
struct Principal<'a> {
    id: &'a str,
    username: &'a str,
    role: &'a str,
    status: &'a str,
    account: Account<'a>,
    permission: Permission<'a>,
}

#[derive(Serialize)]
struct Account<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Permission<'a> {
    id: &'a str,
    workspace_id: &'a str,
    workspace_name: &'a str,
    role: &'a str,
    customer_roles: Option<()>,
    access_control_entities: [(); 0],
    status: &'a str,
    as_user: Option<()>,
}

/// The claims of an access token for `user`.
pub(crate) fn render<'a>(
    user: &'a User,
    workspace: &'a Workspace,
    jti: &'a str,
    exp: u64,
    instance_url: &'a str,
) -> Claims<'a> {
    Claims {
        sub: &user.username,
        principal: Principal {
            id: &user.user_id,
            username: &user.username,
            // Technical users authenticate as API clients.
            role: "APICLIENT",
            status: "ACTIVE",
            account: Account {
                id: &workspace.account_id,
                name: &workspace.account_name,
            },
            permission: Permission {
                id: &user.permission_id,
                workspace_id: &user.workspace_id,
                workspace_name: &user.workspace_name,
                role: user.role.as_str(),
                customer_roles: None,
                access_control_entities: [],
                status: "ACTIVE",
                as_user: None,
            },
        },
        iss: ISSUER,
        jti,
        exp,
        instance_url,
        region: REGION,
    }
}
