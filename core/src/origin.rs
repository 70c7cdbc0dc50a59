//! The LeanIX host, normalised to an origin (`https://host[:port]`), and joining paths to it.

use std::fmt;
use std::net::IpAddr;

use url::Url;

use crate::config::config;
use crate::error::{quote, Error, ErrorKind};

/// The scheme, host and port of a LeanIX instance, e.g. `https://acme.leanix.net`.
///
/// Accepts a bare host (`acme.leanix.net`), an origin (`https://acme.leanix.net`) or any URL on
/// the instance (`https://acme.leanix.net/MyWorkspace/dashboard`): path, query and fragment are
/// dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Origin {
    url: Url,
}

impl Origin {
    /// Parses and normalises a host. `http://` is accepted only for loopback hosts and only when
    /// `allow_insecure_loopback` is true.
    pub fn parse(input: &str, allow_insecure_loopback: bool) -> Result<Origin, Error> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(config(
                "the LeanIX host is empty; set it to e.g. acme.leanix.net",
            ));
        }
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_owned()
        } else {
            format!("https://{trimmed}")
        };
        let url = Url::parse(&with_scheme).map_err(|e| {
            // Quoted only if it looks like a host: a bare word may be the API token, passed
            // where the host goes.
            if trimmed.contains('.') || trimmed.contains("://") {
                config(format!(
                    "the LeanIX host {} is not a host name or URL: {e}",
                    quote(trimmed)
                ))
            } else {
                config(format!("the LeanIX host is not a host name or URL: {e}"))
            }
        })?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(config(
                "the LeanIX host must not contain user credentials; pass the API token separately",
            ));
        }
        let host = match url.host_str() {
            Some(h) if !h.is_empty() => h.to_owned(),
            _ => {
                return Err(config(format!(
                    "the LeanIX host {} has no host name",
                    quote(trimmed)
                )))
            }
        };
        match url.scheme() {
            "https" => {}
            "http" => {
                if !is_loopback(&host) {
                    return Err(config(format!(
                        "refusing http:// to {host}: credentials would travel unencrypted; use https://"
                    )));
                }
                if !allow_insecure_loopback {
                    return Err(config(format!(
                        "http:// to {host} needs the insecure_loopback option (LEANIX_INSECURE_LOOPBACK=1; meant for tests and the sandbox)"
                    )));
                }
            }
            other => {
                return Err(config(format!(
                    "unsupported scheme {other:?} in the LeanIX host; use https://"
                )))
            }
        }
        // A LeanIX host always has a domain (acme.leanix.net). A single label is a mistake, most
        // often the API token passed where the host goes (both are strings): refuse it before
        // it reaches a DNS resolver or an error message, and do not quote it.
        if !host.contains('.') && !host.starts_with('[') && !is_loopback(&host) {
            return Err(config(
                "the LeanIX host has no domain (expected e.g. acme.leanix.net); was the API token passed as the host?",
            ));
        }
        let mut origin = url;
        origin.set_path("");
        origin.set_query(None);
        origin.set_fragment(None);
        Ok(Origin { url: origin })
    }

    /// The host name (without port).
    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    /// For `localhost` and `*.localhost`: the loopback addresses (IPv4 and IPv6) with this
    /// origin's port, which the client connects to instead of asking a resolver.
    pub(crate) fn loopback_name_addrs(&self) -> Option<[std::net::SocketAddr; 2]> {
        let host = self.host().to_ascii_lowercase();
        if host != "localhost" && !host.ends_with(".localhost") {
            return None;
        }
        let port = self.url.port_or_known_default()?;
        Some([
            (std::net::Ipv4Addr::LOCALHOST, port).into(),
            (std::net::Ipv6Addr::LOCALHOST, port).into(),
        ])
    }

    /// `true` for `https://`.
    pub fn is_https(&self) -> bool {
        self.url.scheme() == "https"
    }

    /// The origin as a string without trailing slash: `https://acme.leanix.net`.
    pub fn as_str(&self) -> &str {
        self.url.as_str().trim_end_matches('/')
    }

    /// Joins an API path (with optional query string) to the origin without doubling slashes.
    ///
    /// A full URL is accepted only if it is on this origin; anything else is an
    /// [`ErrorKind::InvalidArgument`] error, so a bearer token is never sent elsewhere.
    pub fn join(&self, path: &str) -> Result<Url, Error> {
        if path.contains("://") {
            let url = Url::parse(path).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("the request URL is not valid: {e}"),
                )
            })?;
            if !url.username().is_empty() || url.password().is_some() {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "the request URL must not contain user credentials (user:password@); the client authenticates",
                ));
            }
            if !self.same_origin(&url) {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "the request URL points to {}, not to the configured LeanIX host {}; credentials are only sent to the configured host",
                        url.origin().ascii_serialization(),
                        self.as_str()
                    ),
                ));
            }
            return Ok(url);
        }
        if path.chars().any(|c| c.is_control()) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the request path contains control characters",
            ));
        }
        // Relative to the parsed origin: only the path and query are parsed per request, not
        // the host again (IDNA and all).
        let relative = format!("/{}", path.trim_start_matches('/'));
        let url = self.url.join(&relative).map_err(|e| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("the request path is not valid: {e}"),
            )
        })?;
        if !self.same_origin(&url) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "the request path leaves the configured LeanIX host",
            ));
        }
        Ok(url)
    }

    /// True if `url` has the same scheme, host and port as this origin.
    pub fn same_origin(&self, url: &Url) -> bool {
        url.origin() == self.url.origin()
    }
}

impl fmt::Debug for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Origin({})", self.as_str())
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `localhost`, `*.localhost`, 127.0.0.0/8 and ::1.
pub(crate) fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if bare.eq_ignore_ascii_case("localhost") || bare.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_form_of_host() {
        for input in [
            "acme.leanix.net",
            "https://acme.leanix.net",
            "https://acme.leanix.net/",
            "https://acme.leanix.net/MyWorkspace/dashboard?x=1#y",
            "  acme.leanix.net/MyWorkspace ",
            "ACME.leanix.net",
        ] {
            let o = Origin::parse(input, false).unwrap();
            assert_eq!(o.as_str(), "https://acme.leanix.net", "{input}");
        }
        assert_eq!(
            Origin::parse("eu-2.leanix.net:8443", false)
                .unwrap()
                .as_str(),
            "https://eu-2.leanix.net:8443"
        );
    }

    #[test]
    fn refuses_bad_hosts() {
        for (input, needle) in [
            ("", "empty"),
            ("http://acme.leanix.net", "refusing http://"),
            ("http://127.0.0.1:8080", "LEANIX_INSECURE_LOOPBACK=1"),
            ("ftp://acme.leanix.net", "unsupported scheme"),
            ("https://user:pw@acme.leanix.net", "credentials"),
            ("https://", "not a host"),
            ("exa mple.com", "not a host"),
        ] {
            let e = Origin::parse(input, false).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config);
            assert!(e.message().contains(needle), "{input}: {}", e.message());
        }
        assert!(Origin::parse("http://127.0.0.1:8080", true).is_ok());
        assert!(Origin::parse("http://localhost:1", true).is_ok());
        assert!(Origin::parse("http://[::1]:1", true).is_ok());
        assert!(Origin::parse("http://10.0.0.1", true).is_err());
    }

    #[test]
    fn refuses_a_single_label_host_without_quoting_it() {
        // The API token passed as the host (arguments swapped) must not become a DNS lookup or
        // appear in the message.
        let token = "Ab3dEf9hIj2kLm5nOp8qRs1tUv4wXy7zAb3dEf9h";
        for input in [
            token.to_owned(),
            format!("https://{token}/x"),
            "intranet:8443".into(),
        ] {
            let e = Origin::parse(&input, true).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Config);
            assert!(e.message().contains("no domain"), "{}", e.message());
            assert!(!e.message().to_lowercase().contains(&token.to_lowercase()));
        }
        let e = Origin::parse("tok^en%", false).unwrap_err();
        assert!(!e.message().contains("tok^en"), "{}", e.message());
        assert!(Origin::parse("http://localhost:8080", true).is_ok());
        assert!(Origin::parse("http://[::1]:8080", true).is_ok());
        assert!(Origin::parse("https://10.1.2.3", false).is_ok());
    }

    #[test]
    fn joins_without_double_slashes() {
        let o = Origin::parse("https://acme.leanix.net/ws/", false).unwrap();
        assert_eq!(
            o.join("/services/pathfinder/v1/factSheets?pageSize=5")
                .unwrap()
                .as_str(),
            "https://acme.leanix.net/services/pathfinder/v1/factSheets?pageSize=5"
        );
        assert_eq!(
            o.join("services/x").unwrap().as_str(),
            "https://acme.leanix.net/services/x"
        );
        assert_eq!(
            o.join("//services/x").unwrap().as_str(),
            "https://acme.leanix.net/services/x"
        );
        assert!(o.join("https://acme.leanix.net/a").is_ok());
        let e = o.join("https://evil.example/a").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(o.join("/a\nb").is_err());
        let e = o.join("https://user:pw@acme.leanix.net/a").unwrap_err();
        assert!(e.message().contains("user credentials"), "{e}");
    }
}
