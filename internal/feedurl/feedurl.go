// Package feedurl holds the one rule for the URLs the ingest fetches: the
// configured feeds (checked at synth) and the feeds a gbfs.json lists
// (checked by the function before it fetches them).
package feedurl

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Check accepts an https:// URL, or an http:// one on loopback, where
// nothing lies between the function and the server (the emulator
// rehearsal serves its feed there). A feed in the clear could be altered
// on the way.
func Check(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && Loopback(u.Hostname()))) {
		return fmt.Errorf("must be an https:// URL (http:// on loopback only), got %q", raw)
	}
	return nil
}

// Loopback reports whether host names this machine: localhost (in any
// case, with or without the root's trailing dot), or an address in
// 127.0.0.0/8 or ::1.
func Loopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
