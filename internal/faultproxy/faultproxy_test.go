package faultproxy_test

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"

	"github.com/netbank/netbank/internal/faultproxy"
)

// echoServer answers every line with the same line.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String()
}

// echo sends a line over c and reads the answer.
func echo(c net.Conn, line string) (string, error) {
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return "", err
	}
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "", err
	}
	return got[:len(got)-1], nil
}

func dialEcho(t *testing.T, addr, line string) error {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	got, err := echo(c, line)
	if err == nil && got != line {
		t.Fatalf("echo %q, got %q", line, got)
	}
	return err
}

// TestCutAndRestore: the proxy forwards, Cut breaks the open connection
// and refuses new ones, Restore forwards again on the same address.
func TestCutAndRestore(t *testing.T) {
	p, err := faultproxy.Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	open, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	if got, err := echo(open, "før"); err != nil || got != "før" {
		t.Fatalf("through the proxy: %q %v", got, err)
	}

	p.Cut()
	if _, err := echo(open, "under"); err == nil {
		t.Error("an open connection still carries data after Cut")
	}
	if err := dialEcho(t, p.Addr(), "ny"); err == nil {
		t.Error("a new connection carries data after Cut")
	}
	if p.Refused() == 0 {
		t.Error("Refused does not count the connection refused while cut")
	}

	p.Restore()
	if err := dialEcho(t, p.Addr(), "efter"); err != nil {
		t.Errorf("after Restore: %v", err)
	}
}

// TestStallAndRestore: while stalled nothing fails and nothing answers;
// Restore lets the held bytes through on the same connection.
func TestStallAndRestore(t *testing.T) {
	p, err := faultproxy.Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)

	p.Stall()
	if _, err := io.WriteString(c, "holdt\n"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if got, err := r.ReadString('\n'); err == nil {
		t.Fatalf("an answer %q while stalled", got)
	} else if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
		t.Fatalf("the connection failed while stalled: %v", err)
	}

	p.Restore()
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, err := r.ReadString('\n'); err != nil || got != "holdt\n" {
		t.Fatalf("after Restore: %q %v, want the held line", got, err)
	}
}
