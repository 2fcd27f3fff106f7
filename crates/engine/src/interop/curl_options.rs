//! curl's own options as curl reads them: which take a value, and the long name of each short letter, so an unknown option's value is never taken for the URL.

/// Long options that take a value (curl 7.88's `--help all`, plus newer ones), sorted.
const WITH_VALUE: [&str; 145] = [
    "--abstract-unix-socket",
    "--alt-svc",
    "--aws-sigv4",
    "--cacert",
    "--capath",
    "--cert",
    "--cert-type",
    "--ciphers",
    "--config",
    "--connect-timeout",
    "--connect-to",
    "--continue-at",
    "--cookie",
    "--cookie-jar",
    "--create-file-mode",
    "--crlfile",
    "--curves",
    "--data",
    "--data-ascii",
    "--data-binary",
    "--data-raw",
    "--data-urlencode",
    "--delegation",
    "--dns-interface",
    "--dns-ipv4-addr",
    "--dns-ipv6-addr",
    "--dns-servers",
    "--doh-url",
    "--dump-header",
    "--ech",
    "--egd-file",
    "--engine",
    "--etag-compare",
    "--etag-save",
    "--expand-data",
    "--expand-url",
    "--expect100-timeout",
    "--form",
    "--form-string",
    "--ftp-account",
    "--ftp-alternative-to-user",
    "--ftp-method",
    "--ftp-port",
    "--ftp-ssl-ccc-mode",
    "--happy-eyeballs-timeout-ms",
    "--haproxy-clientip",
    "--header",
    "--hostpubmd5",
    "--hostpubsha256",
    "--hsts",
    "--interface",
    "--ip-tos",
    "--ipfs-gateway",
    "--json",
    "--keepalive-time",
    "--key",
    "--key-type",
    "--knownhosts",
    "--krb",
    "--libcurl",
    "--limit-rate",
    "--local-port",
    "--login-options",
    "--mail-auth",
    "--mail-from",
    "--mail-rcpt",
    "--max-filesize",
    "--max-redirs",
    "--max-time",
    "--netrc-file",
    "--noproxy",
    "--oauth2-bearer",
    "--output",
    "--output-dir",
    "--parallel-max",
    "--pass",
    "--pinnedpubkey",
    "--preproxy",
    "--proto",
    "--proto-default",
    "--proto-redir",
    "--proxy",
    "--proxy-cacert",
    "--proxy-capath",
    "--proxy-cert",
    "--proxy-cert-type",
    "--proxy-ciphers",
    "--proxy-crlfile",
    "--proxy-header",
    "--proxy-key",
    "--proxy-key-type",
    "--proxy-pass",
    "--proxy-pinnedpubkey",
    "--proxy-service-name",
    "--proxy-tls13-ciphers",
    "--proxy-tlsauthtype",
    "--proxy-tlspassword",
    "--proxy-tlsuser",
    "--proxy-user",
    "--proxy1.0",
    "--pubkey",
    "--quote",
    "--random-file",
    "--range",
    "--rate",
    "--referer",
    "--request",
    "--request-target",
    "--resolve",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "--sasl-authzid",
    "--service-name",
    "--sigalgs",
    "--socks4",
    "--socks4a",
    "--socks5",
    "--socks5-gssapi-service",
    "--socks5-hostname",
    "--speed-limit",
    "--speed-time",
    "--ssl-sessions",
    "--stderr",
    "--telnet-option",
    "--tftp-blksize",
    "--time-cond",
    "--tls-max",
    "--tls13-ciphers",
    "--tlsauthtype",
    "--tlspassword",
    "--tlsuser",
    "--trace",
    "--trace-ascii",
    "--trace-config",
    "--unix-socket",
    "--upload-file",
    "--upload-flags",
    "--url",
    "--url-query",
    "--user",
    "--user-agent",
    "--variable",
    "--vlan-priority",
    "--write-out",
];

/// Short letters and their long names (curl 7.88).
const SHORT: [(char, &str); 59] = [
    ('a', "--append"),
    ('E', "--cert"),
    ('K', "--config"),
    ('C', "--continue-at"),
    ('b', "--cookie"),
    ('c', "--cookie-jar"),
    ('d', "--data"),
    ('q', "--disable"),
    ('D', "--dump-header"),
    ('f', "--fail"),
    ('F', "--form"),
    ('P', "--ftp-port"),
    ('G', "--get"),
    ('g', "--globoff"),
    ('I', "--head"),
    ('H', "--header"),
    ('h', "--help"),
    ('0', "--http1.0"),
    ('i', "--include"),
    ('k', "--insecure"),
    ('4', "--ipv4"),
    ('6', "--ipv6"),
    ('j', "--junk-session-cookies"),
    ('l', "--list-only"),
    ('L', "--location"),
    ('M', "--manual"),
    ('m', "--max-time"),
    ('n', "--netrc"),
    (':', "--next"),
    ('N', "--no-buffer"),
    ('o', "--output"),
    ('Z', "--parallel"),
    ('#', "--progress-bar"),
    ('x', "--proxy"),
    ('U', "--proxy-user"),
    ('p', "--proxytunnel"),
    ('Q', "--quote"),
    ('r', "--range"),
    ('e', "--referer"),
    ('J', "--remote-header-name"),
    ('O', "--remote-name"),
    ('R', "--remote-time"),
    ('X', "--request"),
    ('S', "--show-error"),
    ('s', "--silent"),
    ('Y', "--speed-limit"),
    ('y', "--speed-time"),
    ('2', "--sslv2"),
    ('3', "--sslv3"),
    ('t', "--telnet-option"),
    ('z', "--time-cond"),
    ('1', "--tlsv1"),
    ('T', "--upload-file"),
    ('B', "--use-ascii"),
    ('u', "--user"),
    ('A', "--user-agent"),
    ('v', "--verbose"),
    ('V', "--version"),
    ('w', "--write-out"),
];

/// Whether curl reads the next word as this long option's value.
pub fn takes_value(long: &str) -> bool {
    WITH_VALUE.binary_search(&long).is_ok()
}

/// The long name of a short letter, if curl has that letter.
pub fn long_of(short: char) -> Option<&'static str> {
    SHORT.iter().find(|(c, _)| *c == short).map(|(_, l)| *l)
}

/// One option as curl would read it from `words`: a long option (its value the next word when
/// it takes one), or a cluster of short letters (`-sSL`, `-XPOST`, `-o file`) split into long
/// names. Returns the long names with their values; an unknown letter is kept as `-c`.
pub fn read_option(
    word: &str,
    next: &mut dyn FnMut() -> Option<String>,
) -> Vec<(String, Option<String>)> {
    if word.starts_with("--") {
        let value = if takes_value(word) { next() } else { None };
        return vec![(word.to_string(), value)];
    }
    let mut out = Vec::new();
    let letters: Vec<char> = word.chars().skip(1).collect();
    for (i, c) in letters.iter().enumerate() {
        let Some(long) = long_of(*c) else {
            out.push((format!("-{c}"), None));
            continue;
        };
        if takes_value(long) {
            let rest: String = letters[i + 1..].iter().collect();
            let value = if rest.is_empty() { next() } else { Some(rest) };
            out.push((long.to_string(), value));
            return out;
        }
        out.push((long.to_string(), None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_clusters_split_as_curl_splits_them() {
        assert!(WITH_VALUE.windows(2).all(|w| w[0] < w[1]));
        assert!(takes_value("--referer") && !takes_value("--silent"));
        let mut rest = vec!["file".to_string()].into_iter();
        let got = read_option("-sSLo", &mut || rest.next());
        assert_eq!(
            got,
            [
                ("--silent".to_string(), None),
                ("--show-error".to_string(), None),
                ("--location".to_string(), None),
                ("--output".to_string(), Some("file".to_string())),
            ]
        );
        let got = read_option("-XPOST", &mut || None);
        assert_eq!(got, [("--request".to_string(), Some("POST".to_string()))]);
        let got = read_option("-é", &mut || None);
        assert_eq!(got, [("-é".to_string(), None)]);
    }
}
