//! Where a request comes from: the connection's peer, unless that peer is a reverse proxy the
//! deployment trusts (`JANGTEO_TRUSTED_PROXIES`), whose `X-Forwarded-For` then names the client.
//! The address keys the rate limit and the sign-in lockout, is recorded with each sign-in, and
//! decides whether `/metrics` is asked for from the machine itself.
//!
//! The header is read from the right: each trusted proxy appends the address it received from,
//! so the rightmost address that is not a trusted proxy is the client; anything left of it was
//! written by the client and is not believed. Without trusted proxies the header is ignored.

use std::net::IpAddr;

use actix_web::http::header::HeaderMap;
use ipnet::IpNet;

/// The networks of the reverse proxies in front of this server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of addresses and networks (`127.0.0.1`, `10.0.0.0/8`, `::1`).
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{entry:?} is not an address or a network (10.0.0.0/8)"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }

    /// The client of a request that reached this server from `peer` with `headers`.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Option<IpAddr> {
        let mut client = peer?;
        if !self.trusts(client) {
            return Some(client);
        }
        let hops = headers
            .get_all("x-forwarded-for")
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in hops.into_iter().rev() {
            // A hop that does not read as an address ends what can be believed: the last trusted
            // proxy is then the client as far as this server can tell.
            let Ok(address) = hop.parse::<IpAddr>() else { break };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        Some(client)
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(forwarded: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in forwarded {
            map.append(
                HeaderName::from_static("x-forwarded-for"),
                HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static("")),
            );
        }
        map
    }

    fn ip(text: &str) -> Option<IpAddr> {
        text.parse().ok()
    }

    #[test]
    fn the_header_counts_only_behind_a_trusted_proxy_and_only_from_the_right() {
        let trusted = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap_or_default();
        let none = TrustedProxies::default();
        // No trusted proxies: the peer, whatever the header says.
        assert_eq!(none.client(ip("203.0.113.9"), &headers(&["198.51.100.1"])), ip("203.0.113.9"));
        // A peer that is no proxy of ours: itself.
        assert_eq!(trusted.client(ip("203.0.113.9"), &headers(&["198.51.100.1"])), ip("203.0.113.9"));
        // Behind the proxy: the rightmost untrusted hop; what the client wrote left of it is not believed.
        assert_eq!(trusted.client(ip("127.0.0.1"), &headers(&["6.6.6.6, 198.51.100.7"])), ip("198.51.100.7"));
        assert_eq!(
            trusted.client(ip("127.0.0.1"), &headers(&["6.6.6.6", "198.51.100.7, 10.1.2.3"])),
            ip("198.51.100.7")
        );
        // Only proxies in the chain: the leftmost of them.
        assert_eq!(trusted.client(ip("127.0.0.1"), &headers(&["10.9.9.9"])), ip("10.9.9.9"));
        // No header: the proxy itself; a hop that is no address: the last trusted one.
        assert_eq!(trusted.client(ip("127.0.0.1"), &headers(&[])), ip("127.0.0.1"));
        assert_eq!(trusted.client(ip("127.0.0.1"), &headers(&["unknown, 10.1.2.3"])), ip("10.1.2.3"));
    }

    #[test]
    fn lists_of_addresses_and_networks_parse_and_others_are_refused() {
        assert_eq!(TrustedProxies::parse("").map(|proxies| proxies.0.len()), Ok(0));
        assert_eq!(
            TrustedProxies::parse("::1, 192.168.0.0/16 ,127.0.0.1").map(|proxies| proxies.0.len()),
            Ok(3)
        );
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.internal").is_err());
    }
}
