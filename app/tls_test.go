package app_test

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netbank/netbank/app"
)

// TestTLSInProduction runs a production bank (no demo) on all interfaces
// with a certificate. RULE SIGN-3: all traffic is encrypted. Every answer
// over HTTPS carries HSTS for at least a year (pages, API, errors, health
// and metrics); plain HTTP on the port gets no bank page; TLS below 1.2 is
// refused.
func TestTLSInProduction(t *testing.T) {
	certFile, keyFile, pool := writeSelfSignedCert(t, t.TempDir())
	addr := freeAddr(t, "0.0.0.0")
	a := mustNew(t, app.Config{Addr: addr, DataDir: t.TempDir(), TLSCert: certFile, TLSKey: keyFile})
	r := startRun(t, a)
	base := "https://" + dialHost(addr)
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	waitHealthy(t, r, client, base+"/healthz")

	maxAge := regexp.MustCompile(`^max-age=([0-9]+)`)
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/", http.StatusOK},
		{"/login", http.StatusOK},
		{"/ingen-side", http.StatusNotFound},
		{"/api/v1/calendar?from=2026-05-13&to=2026-05-16", http.StatusOK},
		{"/api/v1/accounts", http.StatusUnauthorized},
		{"/healthz", http.StatusOK},
		{"/readyz", http.StatusOK},
		{"/metrics", http.StatusOK},
	} {
		resp, _ := get(t, client, base+c.path)
		if resp.StatusCode != c.status {
			t.Errorf("GET %s over HTTPS: %d, want %d", c.path, resp.StatusCode, c.status)
		}
		hsts := resp.Header.Get("Strict-Transport-Security")
		m := maxAge.FindStringSubmatch(hsts)
		if m == nil {
			t.Errorf("GET %s over HTTPS: Strict-Transport-Security %q", c.path, hsts)
			continue
		}
		if secs, _ := strconv.Atoi(m[1]); secs < 365*24*60*60 {
			t.Errorf("GET %s: HSTS max-age %d, want at least a year", c.path, secs)
		}
	}

	// Plain HTTP on the HTTPS port: Go's server answers 400 in plain text,
	// never a page of the bank.
	resp, err := (&http.Client{Timeout: time.Minute}).Get("http://" + dialHost(addr) + "/login")
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(body), "<html") {
			t.Errorf("plain HTTP on the HTTPS port: %d %q", resp.StatusCode, body)
		}
	}

	// TLS 1.1 is refused.
	conn, err := tls.Dial("tcp", dialHost(addr), &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
	if err == nil {
		conn.Close()
		t.Error("a TLS 1.1 handshake succeeded")
	}
}

// TestListenIPv6: the loopback rule holds for IPv6 addresses too (RULE
// SIGN-3): plain HTTP on [::] is refused, on [::1] it is served.
func TestListenIPv6(t *testing.T) {
	a := mustNew(t, app.Config{Addr: "[::]:0", DataDir: t.TempDir(), Demo: true})
	err := startRun(t, a).wait(t)
	if err == nil || !strings.Contains(err.Error(), "--tls-cert") {
		t.Fatalf("plain HTTP on [::]: %v, want a refusal naming --tls-cert", err)
	}

	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback on this machine: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	b := mustNew(t, app.Config{Addr: addr, DataDir: t.TempDir(), Demo: true})
	r := startRun(t, b)
	waitHealthy(t, r, &http.Client{Timeout: time.Minute}, "http://"+addr+"/healthz")
	r.cancel()
	if err := r.wait(t); err != nil {
		t.Fatalf("Run on [::1] after cancel: %v", err)
	}
}
