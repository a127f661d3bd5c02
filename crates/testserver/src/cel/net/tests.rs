//! The examples of `ip.go` and `cidr.go`'s documentation, and `netip`'s error texts.

use super::super::testing::eval;

#[test]
fn ip_go_examples() {
    for (expr, want) in [
        ("isIP('127.0.0.1')", "true"),
        ("isIP('::1')", "true"),
        ("isIP('127.0.0.256')", "false"),
        ("isIP(':::1')", "false"),
        ("isIP('127.0.0.01')", "false"),
        ("isIP('fe80::1%eth0')", "false"),
        ("isIP('::ffff:127.0.0.1')", "false"),
        ("ip.isCanonical('127.0.0.1')", "true"),
        ("ip.isCanonical('2001:db8::abcd')", "true"),
        ("ip.isCanonical('2001:DB8::ABCD')", "false"),
        ("ip.isCanonical('2001:db8::0:0:0:abcd')", "false"),
        ("ip('127.0.0.1').family()", "4"),
        ("ip('::1').family()", "6"),
        ("ip('0.0.0.0').isUnspecified()", "true"),
        ("ip('127.0.0.1').isUnspecified()", "false"),
        ("ip('::').isUnspecified()", "true"),
        ("ip('127.0.0.1').isLoopback()", "true"),
        ("ip('192.168.0.1').isLoopback()", "false"),
        ("ip('::1').isLoopback()", "true"),
        ("ip('224.0.0.1').isLinkLocalMulticast()", "true"),
        ("ip('224.0.1.1').isLinkLocalMulticast()", "false"),
        ("ip('ff02::1').isLinkLocalMulticast()", "true"),
        ("ip('fd00::1').isLinkLocalMulticast()", "false"),
        ("ip('169.254.169.254').isLinkLocalUnicast()", "true"),
        ("ip('192.168.0.1').isLinkLocalUnicast()", "false"),
        ("ip('fe80::1').isLinkLocalUnicast()", "true"),
        ("ip('fd80::1').isLinkLocalUnicast()", "false"),
        ("ip('192.168.0.1').isGlobalUnicast()", "true"),
        ("ip('255.255.255.255').isGlobalUnicast()", "false"),
        ("ip('2001:db8::abcd').isGlobalUnicast()", "true"),
        ("ip('ff00::1').isGlobalUnicast()", "false"),
        ("string(ip('2001:DB8::0:abcd'))", "\"2001:db8::abcd\""),
        ("ip('127.0.0.1') == ip('127.0.0.1')", "true"),
    ] {
        assert_eq!(eval(expr), want, "{expr}");
    }
}

#[test]
fn cidr_go_examples() {
    for (expr, want) in [
        ("isCIDR('192.168.0.0/16')", "true"),
        ("isCIDR('::1/128')", "true"),
        ("isCIDR('192.168.0.0/33')", "false"),
        (
            "cidr('192.168.0.0/16').containsIP(ip('192.168.0.1'))",
            "true",
        ),
        (
            "cidr('192.168.0.0/16').containsIP(ip('192.169.0.1'))",
            "false",
        ),
        ("cidr('192.168.0.0/16').containsIP('192.168.0.1')", "true"),
        (
            "cidr('192.168.0.0/16').containsCIDR(cidr('192.168.10.0/24'))",
            "true",
        ),
        (
            "cidr('192.168.1.0/24').containsCIDR(cidr('192.168.2.0/24'))",
            "false",
        ),
        (
            "cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24')",
            "true",
        ),
        (
            "cidr('192.168.0.0/24').containsCIDR('192.168.0.0/16')",
            "false",
        ),
        ("cidr('::1/128').containsIP('127.0.0.1')", "false"),
        ("cidr('192.168.0.0/16').ip() == ip('192.168.0.0')", "true"),
        ("cidr('192.168.0.1/24').ip() == ip('192.168.0.1')", "true"),
        ("cidr('192.168.0.0/16').prefixLength()", "16"),
        (
            "cidr('192.168.0.1/24').masked() == cidr('192.168.0.0/24')",
            "true",
        ),
        ("cidr('::1/128').masked() == cidr('::1/128')", "true"),
        ("string(cidr('192.168.0.1/24'))", "\"192.168.0.1/24\""),
    ] {
        assert_eq!(eval(expr), want, "{expr}");
    }
}

#[test]
fn parse_errors_as_netip_words_them() {
    for (expr, want) in [
        (
            "ip('127.0.0.256')",
            r#"IP Address "127.0.0.256" parse error during conversion from string: ParseAddr("127.0.0.256"): IPv4 field has value >255"#,
        ),
        (
            "ip('127.0.0.01')",
            r#"IP Address "127.0.0.01" parse error during conversion from string: ParseAddr("127.0.0.01"): IPv4 field has octet with leading zero"#,
        ),
        (
            "ip('1.2.3')",
            r#"IP Address "1.2.3" parse error during conversion from string: ParseAddr("1.2.3"): IPv4 address too short"#,
        ),
        (
            "ip('1..2.3')",
            r#"IP Address "1..2.3" parse error during conversion from string: ParseAddr("1..2.3"): IPv4 field must have at least one digit (at ".2.3")"#,
        ),
        (
            "ip('foo')",
            r#"IP Address "foo" parse error during conversion from string: ParseAddr("foo"): unable to parse IP"#,
        ),
        (
            "ip('fe80::1%eth0')",
            r#"IP address "fe80::1%eth0" with zone value is not allowed"#,
        ),
        (
            "ip('::ffff:1.2.3.4')",
            r#"IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed"#,
        ),
        (
            "cidr('192.168.0.0')",
            r#"network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("192.168.0.0"): no '/'"#,
        ),
        (
            "cidr('192.168.0.0/33')",
            r#"network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("192.168.0.0/33"): prefix length out of range"#,
        ),
        (
            "cidr('10.0.0.0/08')",
            r#"network address parse error during conversion from string: network address parse error during conversion from string: netip.ParsePrefix("10.0.0.0/08"): bad bits after slash: "08""#,
        ),
    ] {
        assert_eq!(eval(expr), format!("error: {want}"), "{expr}");
    }
}
