//! MTM `GET /services/mtm/v1/workspaces/{id}` and the legacy
//! `GET /{workspace}/api/v1/services` listing.

use http::StatusCode;
use serde_json::json;

use crate::http_util::{self, Resp};
use crate::state::State;

/// `GET /services/mtm/v1/workspaces/{id}`.
pub(crate) fn workspace(state: &State, id: &str) -> Resp {
    let ws = &state.workspace;
    if id != ws.id {
        return http_util::api_error(
            StatusCode::NOT_FOUND,
            "Workspace",
            &format!("Workspace with id '{}' not found", id.escape_debug()),
        );
    }
    let body = json!({
        "status": "OK",
        "type": "Workspace",
        "errors": [],
        "data": {
            "id": ws.id,
            "name": ws.name,
            "status": "ACTIVE",
            "type": "LIVE",
            "description": "SAP LeanIX sandbox workspace",
            "instanceUrl": state.api_url(),
            "contract": {
                "id": ws.contract_id,
                "type": "REGULAR",
                "status": "ACTIVE",
                "startDate": "2024-01-01",
                "endDate": "2099-12-31",
                "account": { "id": ws.account_id, "name": ws.account_name },
            },
        },
    });
    http_util::json(StatusCode::OK, body.to_string())
}

/// `GET /{workspace}/api/v1/services`: the service endpoints of the workspace
/// (addressed by name or id).
pub(crate) fn services(state: &State, workspace: &str) -> Resp {
    let ws = &state.workspace;
    if workspace != ws.name && workspace != ws.id {
        return http_util::api_error(
            StatusCode::NOT_FOUND,
            "Service",
            &format!("Workspace '{}' not found", workspace.escape_debug()),
        );
    }
    let service =
        |name: &str, path: &str| json!({ "name": name, "url": format!("{}{path}", state.url) });
    let body = json!([
        service("pathfinder", "/services/pathfinder/v1"),
        service("mtm", "/services/mtm/v1"),
        service("metrics", "/services/metrics/v1"),
        service("integration-api", "/services/integration-api/v1"),
        service("webhooks", "/services/webhooks/v1"),
    ]);
    http_util::json(StatusCode::OK, body.to_string())
}
