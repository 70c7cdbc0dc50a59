//! Routing by the access token's `instanceUrl` claim: LeanIX's token host is not always the
//! host that serves the workspace, and official tools call the API at `instanceUrl`.
//!
//! The rule, checked once per token: an `instanceUrl` on the configured origin changes nothing;
//! any other is followed only if it is `https://` and its host is the configured host's
//! registrable domain or under it (`*.leanix.net` for `app.leanix.net`, by the public-suffix
//! list of the `psl` crate), or is in the allow-list
//! ([`ClientBuilder::allow_instance_host`](crate::ClientBuilder::allow_instance_host)). For
//! tests, a loopback `instanceUrl` (`http` or `https`) is followed only when the configured host
//! is loopback too and the insecure-loopback opt-in is on. Anything else is refused with an
//! [`Event::InstanceRefused`](crate::Event::InstanceRefused), and the configured origin is used.

use url::Url;

use crate::origin::{is_loopback, Origin};

/// Where the API calls of one token go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The configured origin (no `instanceUrl`, the same origin, or routing off).
    Configured,
    /// The origin the token names.
    Routed(Origin),
    /// The token names an origin outside the rule; the reason says why (no secret in it).
    Refused(String),
}

/// The settings of the rule.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rule {
    /// False: never route.
    pub enabled: bool,
    /// Hosts followed whatever their domain (lower case, no port).
    pub allow_list: Vec<String>,
    /// The insecure-loopback opt-in of the configured host.
    pub allow_insecure_loopback: bool,
}

/// The registrable domain of `host` (`leanix.net` for `app.leanix.net`), by the public-suffix
/// list; `None` for IP addresses and hosts that are a public suffix themselves.
pub(crate) fn registrable_domain(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return None;
    }
    psl::domain_str(&host).map(str::to_owned)
}

impl Rule {
    /// Where the calls of a token whose claim is `instance_url` go.
    pub(crate) fn decide(&self, configured: &Origin, instance_url: Option<&str>) -> Decision {
        let Some(raw) = instance_url.map(str::trim).filter(|s| !s.is_empty()) else {
            return Decision::Configured;
        };
        if !self.enabled {
            return Decision::Configured;
        }
        let Ok(url) = Url::parse(raw) else {
            return Decision::Refused("it is not a URL".into());
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Decision::Refused("it contains user credentials".into());
        }
        if url.origin() == configured_url(configured).origin() {
            return Decision::Configured;
        }
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            return Decision::Refused("it has no host".into());
        };
        let origin_text = url.origin().ascii_serialization();
        if is_loopback(&host) {
            if !(is_loopback(configured.host()) && self.allow_insecure_loopback) {
                return Decision::Refused(
                    "it is a loopback address, followed only when the configured host is loopback with the insecure-loopback option".into(),
                );
            }
            return match Origin::parse(&origin_text, true) {
                Ok(o) => Decision::Routed(o),
                Err(_) => Decision::Refused("it is not a usable origin".into()),
            };
        }
        if url.scheme() != "https" {
            return Decision::Refused("it is not https://".into());
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let allowed = self.allow_list.iter().any(|h| h == bare)
            || registrable_domain(configured.host())
                .is_some_and(|domain| bare == domain || bare.ends_with(&format!(".{domain}")));
        if !allowed {
            let domain = registrable_domain(configured.host());
            return Decision::Refused(match domain {
                Some(d) => format!("its host is not under {d} nor in the allow-list"),
                None => "its host is not in the allow-list (the configured host has no registrable domain)".into(),
            });
        }
        match Origin::parse(&origin_text, false) {
            Ok(o) => Decision::Routed(o),
            Err(_) => Decision::Refused("it is not a usable origin".into()),
        }
    }
}

fn configured_url(origin: &Origin) -> Url {
    Url::parse(origin.as_str()).expect("an origin is a URL")
}

/// Normalises an allow-list entry (a host name, or an `https://` origin whose host is taken: a
/// port given is dropped, the host is allowed on every port); `Err` names the problem, also
/// for a loopback host, which the allow-list never admits.
pub(crate) fn allow_list_host(entry: &str) -> Result<String, String> {
    let trimmed = entry.trim();
    if trimmed.is_empty() {
        return Err("an allowed instance host is empty".into());
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    let url = Url::parse(&with_scheme)
        .map_err(|e| format!("the allowed instance host {trimmed:?} is not a host name: {e}"))?;
    match url.host_str() {
        Some(h) if is_loopback(h) => Err(format!(
            "the allowed instance host {trimmed:?} is a loopback address, which the allow-list \
             never admits: an instanceUrl on loopback is followed only when the configured host \
             is loopback with the insecure-loopback option"
        )),
        Some(h) if !h.is_empty() && url.scheme() == "https" => Ok(h
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase()),
        _ => Err(format!(
            "the allowed instance host {trimmed:?} must be a host name or an https:// origin"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> Rule {
        Rule {
            enabled: true,
            allow_list: vec!["api.example.org".into()],
            allow_insecure_loopback: false,
        }
    }

    #[test]
    fn follows_hosts_under_the_registrable_domain_only() {
        let app = Origin::parse("app.leanix.net", false).unwrap();
        let r = rule();
        let routed = |u: &str| match r.decide(&app, Some(u)) {
            Decision::Routed(o) => o.as_str().to_owned(),
            other => panic!("{u}: {other:?}"),
        };
        assert_eq!(routed("https://acme.leanix.net"), "https://acme.leanix.net");
        assert_eq!(
            routed("https://eu-2.leanix.net/some/path"),
            "https://eu-2.leanix.net"
        );
        assert_eq!(routed("https://leanix.net"), "https://leanix.net");
        assert_eq!(routed("https://api.example.org"), "https://api.example.org");
        assert_eq!(
            r.decide(&app, Some("https://app.leanix.net/")),
            Decision::Configured
        );
        assert_eq!(r.decide(&app, None), Decision::Configured);
        for bad in [
            "http://acme.leanix.net",
            "https://leanix.net.evil.example",
            "https://evilleanix.net",
            "https://127.0.0.1:8080",
            "https://user:pw@acme.leanix.net",
            "https://10.0.0.1",
            "not a url",
        ] {
            assert!(
                matches!(r.decide(&app, Some(bad)), Decision::Refused(_)),
                "{bad}"
            );
        }
        let off = Rule {
            enabled: false,
            ..rule()
        };
        assert_eq!(
            off.decide(&app, Some("https://acme.leanix.net")),
            Decision::Configured
        );
    }

    #[test]
    fn loopback_only_from_loopback_with_the_opt_in() {
        let local = Origin::parse("http://127.0.0.1:1000", true).unwrap();
        let mut r = rule();
        assert!(matches!(
            r.decide(&local, Some("http://127.0.0.1:2000")),
            Decision::Refused(_)
        ));
        r.allow_insecure_loopback = true;
        assert_eq!(
            r.decide(&local, Some("http://127.0.0.1:2000")),
            Decision::Routed(Origin::parse("http://127.0.0.1:2000", true).unwrap())
        );
        let app = Origin::parse("app.leanix.net", false).unwrap();
        assert!(matches!(
            r.decide(&app, Some("http://localhost:2000")),
            Decision::Refused(_)
        ));
        // From loopback, a public host still needs the allow-list (no registrable domain).
        assert!(matches!(
            r.decide(&local, Some("https://acme.leanix.net")),
            Decision::Refused(_)
        ));
    }

    #[test]
    fn allow_list_entries_are_normalised() {
        assert_eq!(
            allow_list_host(" API.Example.org ").unwrap(),
            "api.example.org"
        );
        assert_eq!(
            allow_list_host("https://x.example:8443/p").unwrap(),
            "x.example"
        );
        assert!(allow_list_host("").is_err());
        assert!(allow_list_host("http://x.example").is_err());
    }
}
