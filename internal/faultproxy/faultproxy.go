// Package faultproxy is a TCP proxy for tests that stands between the bank
// and a server it depends on (PostgreSQL) and can take that server away
// and give it back, so a test can show what the bank does while its
// database is unreachable and that it recovers by itself afterwards.
//
// While the proxy is up it copies bytes both ways. Cut resets every
// connection it carries (both sides, with a TCP RST, as a crashed server or
// a broken network does) and from then on resets each new connection as
// soon as it is accepted, until Restore. Stall instead lets every byte
// wait, on open and new connections alike, as a server that hangs or a
// network that drops packets does: nothing fails, nothing answers, until
// Restore lets the bytes through. The listening port stays the same
// throughout, so the bank's configuration (its DSN) never changes.
package faultproxy

import (
	"net"
	"sync"
	"sync/atomic"
)

// Proxy forwards TCP connections from its own address to a target
// address. It is safe for concurrent use.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	down   bool
	closed bool
	// conns are the open connections, each pair (client side, server side)
	// under the client side.
	conns map[net.Conn]net.Conn
	// flowing is closed while bytes may pass; Stall replaces it with an
	// open channel, which Restore closes.
	flowing chan struct{}
	wg      sync.WaitGroup

	refused atomic.Int64
}

// Start listens on a free loopback port and forwards every connection to
// target (host:port).
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]net.Conn{}, flowing: make(chan struct{})}
	close(p.flowing)
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's address (host:port), to put in place of the
// target's in a connection string.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut takes the target away: every open connection is reset, and new ones
// are reset as soon as they are accepted until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	p.down = true
	conns := p.conns
	p.conns = map[net.Conn]net.Conn{}
	p.mu.Unlock()
	for client, server := range conns {
		reset(client)
		reset(server)
	}
}

// Stall holds every byte, both ways, on the open connections and on new
// ones (which are accepted and connected, but carry nothing), until
// Restore.
func (p *Proxy) Stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.flowing:
		p.flowing = make(chan struct{})
	default: // stalled already
	}
}

// Restore gives the target back after Cut or Stall: new connections are
// forwarded again, and the bytes a stall held go on their way.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
	select {
	case <-p.flowing:
	default:
		close(p.flowing)
	}
}

// wait blocks while the proxy is stalled.
func (p *Proxy) wait() {
	p.mu.Lock()
	flowing := p.flowing
	p.mu.Unlock()
	<-flowing
}

// Refused is how many connections were reset on arrival while the target
// was away: a sign that the program behind the proxy kept trying.
func (p *Proxy) Refused() int64 { return p.refused.Load() }

// Close stops listening, resets every open connection and waits for the
// proxy's goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.Cut()
	p.Restore() // lets stalled copies see their reset connections
	p.wg.Wait()
	return err
}

// accept takes connections until the listener closes.
func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down, closed := p.down, p.closed
		p.mu.Unlock()
		if down || closed {
			p.refused.Add(1)
			reset(c)
			continue
		}
		p.wg.Add(1)
		go p.forward(c)
	}
}

// forward connects c to the target and copies both ways until either side
// ends (or Cut resets them).
func (p *Proxy) forward(client net.Conn) {
	defer p.wg.Done()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		reset(client)
		return
	}
	p.mu.Lock()
	if p.down || p.closed { // cut while dialling
		p.mu.Unlock()
		reset(client)
		reset(server)
		return
	}
	p.conns[client] = server
	p.mu.Unlock()

	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		p.copy(dst, src)
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	// One side ended: end the other, unless Cut already reset both.
	p.mu.Lock()
	_, open := p.conns[client]
	delete(p.conns, client)
	p.mu.Unlock()
	if open {
		client.Close()
		server.Close()
	}
	<-done
}

// copy copies src to dst until either fails, holding each chunk while the
// proxy is stalled.
func (p *Proxy) copy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.wait()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// reset closes c with a TCP RST instead of an orderly FIN, as a server
// that went away does.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}
