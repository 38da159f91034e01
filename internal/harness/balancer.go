package harness

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// BalancerURL is the base URL clients of a Balancer use: one host, so the
// cookies a client's jar keeps for it go with every request, whichever
// instance answers, as behind a load balancer in front of several
// instances.
const BalancerURL = "http://netbank.test"

// ErrNoInstance is the error of a request a Balancer has no running
// instance for.
var ErrNoInstance = errors.New("harness: no instance of the bank is running")

// Balancer is an http.RoundTripper in front of instances of the bank: a
// request to BalancerURL goes to the next running instance in turn, or to
// the instance Pin chose. It asks each instance for its address at every
// request, so it follows a restarted instance to its new port. A client
// that should pick its instance independently of other clients gets a
// Balancer of its own.
type Balancer struct {
	banks     []*Bank
	transport http.RoundTripper

	mu     sync.Mutex
	next   int
	pinned *Bank
}

// NewBalancer returns a balancer over banks with a transport of its own
// (its own connection pool).
func NewBalancer(banks ...*Bank) *Balancer {
	return &Balancer{banks: banks, transport: http.DefaultTransport.(*http.Transport).Clone()}
}

// NewBalancerFrom is NewBalancer for a client at its own loopback address
// (source, e.g. "127.0.0.2"; on Linux all of 127.0.0.0/8 is loopback), so
// the bank's limits per address (login steps per minute) count it apart
// from other clients.
func NewBalancerFrom(source string, banks ...*Bank) *Balancer {
	lb := NewBalancer(banks...)
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second,
		LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}}
	lb.transport.(*http.Transport).DialContext = dialer.DialContext
	return lb
}

// Pin sends every following request to b; Pin(nil) returns to taking the
// instances in turn.
func (lb *Balancer) Pin(b *Bank) {
	lb.mu.Lock()
	lb.pinned = b
	lb.mu.Unlock()
}

// pick chooses the instance for the next request and returns its URL.
func (lb *Balancer) pick() (string, error) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if lb.pinned != nil {
		if u := lb.pinned.URL(); u != "" {
			return u, nil
		}
		return "", ErrNoInstance
	}
	for range lb.banks {
		b := lb.banks[lb.next%len(lb.banks)]
		lb.next++
		if u := b.URL(); u != "" {
			return u, nil
		}
	}
	return "", ErrNoInstance
}

// RoundTrip implements http.RoundTripper: it sends req to an instance.
func (lb *Balancer) RoundTrip(req *http.Request) (*http.Response, error) {
	target, err := lb.pick()
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = u.Scheme, u.Host, u.Host
	return lb.transport.RoundTrip(out)
}

// CloseIdleConnections closes the kept-alive connections (to a killed
// instance, say).
func (lb *Balancer) CloseIdleConnections() {
	if t, ok := lb.transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}
