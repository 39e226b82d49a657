package mailsim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// World is a running simulated mail world: one DNS server and one SMTP
// server per declared host. All methods are safe for concurrent use.
type World struct {
	cfg  Config
	ca   *certAuthority
	done chan struct{} // closed by Close

	dnsServers []*dns.Server
	dnsAddr    string
	smtpPort   int

	mu       sync.RWMutex
	closed   bool
	domains  map[string]*domainRT
	hosts    map[string]*hostRT
	nextAddr netip.Addr
	reserved net.Listener // bound on 127.0.0.2 to pick SMTPPort; given to the first host
	live     map[*latencyConn]struct{}
	serial   int64 // certificate serial numbers

	dnsMu     sync.Mutex
	dnsCounts map[queryKey]int

	wg        sync.WaitGroup
	closeOnce sync.Once
	stopCtx   func() bool
}

type hostRT struct {
	cfg     Host
	name    string
	addr    netip.Addr
	ln      net.Listener // nil for Down hosts
	tlsConf *tls.Config
	stats   hostCounters
	grey    greylist
}

// Start is New for tests: it fails tb on error and closes the world in
// tb.Cleanup.
func Start(tb testing.TB, cfg Config) *World {
	tb.Helper()
	w, err := New(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("mailsim: %v", err)
	}
	tb.Cleanup(func() { _ = w.Close() })
	return w
}

// New starts a world with the hosts and domains of cfg. It runs until Close
// is called or ctx is done.
func New(ctx context.Context, cfg Config) (*World, error) {
	if cfg.DefaultTTL == 0 {
		cfg.DefaultTTL = 5 * time.Minute
	}
	if cfg.NegativeTTL == 0 {
		cfg.NegativeTTL = time.Minute
	}
	ca, err := newCertAuthority()
	if err != nil {
		return nil, fmt.Errorf("mailsim: CA: %w", err)
	}
	w := &World{
		cfg: cfg, ca: ca, done: make(chan struct{}),
		domains: map[string]*domainRT{}, hosts: map[string]*hostRT{},
		live: map[*latencyConn]struct{}{}, dnsCounts: map[queryKey]int{},
	}
	// The first host address fixes the shared SMTP port; later hosts bind
	// that port on their own address, skipping addresses where it is taken.
	first := netip.AddrFrom4([4]byte{127, 0, 0, 2})
	if w.reserved, err = net.Listen("tcp", netip.AddrPortFrom(first, 0).String()); err != nil {
		return nil, fmt.Errorf("mailsim: loopback address %s unusable: %w", first, err)
	}
	w.smtpPort = w.reserved.Addr().(*net.TCPAddr).Port
	w.nextAddr = first.Next()
	if err := w.startDNS(); err != nil {
		_ = w.Close()
		return nil, err
	}
	for _, h := range cfg.Hosts {
		if err := w.AddHost(h); err != nil {
			_ = w.Close()
			return nil, err
		}
	}
	for _, d := range cfg.Domains {
		if err := w.AddDomain(d); err != nil {
			_ = w.Close()
			return nil, err
		}
	}
	w.stopCtx = context.AfterFunc(ctx, func() { _ = w.Close() })
	return w, nil
}

// Close stops all servers, aborts live connections and waits for every
// goroutine of the world to exit.
func (w *World) Close() error {
	w.closeOnce.Do(func() {
		if w.stopCtx != nil {
			w.stopCtx()
		}
		w.mu.Lock()
		w.closed = true
		close(w.done)
		if w.reserved != nil {
			_ = w.reserved.Close()
		}
		for _, h := range w.hosts {
			if h.ln != nil {
				_ = h.ln.Close()
			}
		}
		for lc := range w.live {
			lc.Abort()
		}
		w.mu.Unlock()
		for _, s := range w.dnsServers {
			_ = s.Shutdown()
		}
		w.wg.Wait()
	})
	return nil
}

// AddHost declares and starts an SMTP host. Declare a host before any
// domain naming it in its MX list; otherwise that domain creates it with
// default behaviour and AddHost reports a duplicate.
func (w *World) AddHost(h Host) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.addHostLocked(h)
}

func (w *World) addHostLocked(h Host) error {
	name, err := canonName(h.Name)
	if err != nil {
		return err
	}
	if w.closed {
		return errors.New("mailsim: world closed")
	}
	if _, dup := w.hosts[name]; dup {
		return fmt.Errorf("mailsim: host %s declared twice", name)
	}
	rt := &hostRT{cfg: h, name: name}
	rt.cfg.EHLOExtra = slices.Clone(h.EHLOExtra)
	rt.cfg.AAAA = slices.Clone(h.AAAA)
	rt.cfg.Banner = h.Banner.clone()
	if rt.addr, rt.ln, err = w.allocAddr(h.Down); err != nil {
		return fmt.Errorf("mailsim: host %s: %w", name, err)
	}
	if h.TLS != TLSOff {
		w.serial++ // the CA is serial 1
		if rt.tlsConf, err = w.ca.leaf(name, rt.addr.AsSlice(), w.serial+1); err != nil {
			if rt.ln != nil {
				_ = rt.ln.Close()
			}
			return fmt.Errorf("mailsim: host %s: certificate: %w", name, err)
		}
	}
	rt.stats.s = HostStats{Host: name, Addr: rt.addr.String(), Commands: map[string]int{}}
	w.hosts[name] = rt
	if rt.ln != nil {
		w.wg.Add(1)
		go w.serveHost(rt)
	}
	return nil
}

// allocAddr picks the next loopback address and, unless down, binds the
// shared SMTP port on it.
func (w *World) allocAddr(down bool) (netip.Addr, net.Listener, error) {
	if !down && w.reserved != nil {
		ln := w.reserved
		w.reserved = nil
		return netip.MustParseAddrPort(ln.Addr().String()).Addr(), ln, nil
	}
	var lastErr error
	for tries := 0; tries < 512; tries++ {
		a := w.nextAddr
		w.nextAddr = a.Next()
		if b := a.As4(); b[3] == 0 || b[3] == 255 {
			continue // avoid network/broadcast-looking addresses
		}
		if down {
			return a, nil, nil
		}
		ln, err := net.Listen("tcp", netip.AddrPortFrom(a, uint16(w.smtpPort)).String())
		if err == nil {
			return a, ln, nil
		}
		lastErr = err
	}
	return netip.Addr{}, nil, fmt.Errorf("no loopback address with port %d free: %w", w.smtpPort, lastErr)
}

// AddDomain declares a domain, creating the hosts it names that were not
// declared yet.
func (w *World) AddDomain(d Domain) error {
	rt, implicit, err := normalizeDomain(d)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, dup := w.domains[rt.name]; dup {
		return fmt.Errorf("mailsim: domain %s declared twice", rt.name)
	}
	if implicit != nil {
		if _, exists := w.hosts[implicit.Name]; exists {
			if !reflect.ValueOf(d.Server).IsZero() {
				return fmt.Errorf("mailsim: domain %s: Server given but host %s already declared", rt.name, implicit.Name)
			}
		} else if err := w.addHostLocked(*implicit); err != nil {
			return err
		}
	}
	for _, mx := range rt.cfg.MX {
		if _, exists := w.hosts[mx.Host]; !exists {
			if err := w.addHostLocked(Host{Name: mx.Host}); err != nil {
				return err
			}
		}
	}
	w.domains[rt.name] = rt
	return nil
}

func (w *World) domain(name string) *domainRT {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.domains[name]
}

// track registers a live connection so Close can abort it; false if the
// world is closing.
func (w *World) track(lc *latencyConn) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false
	}
	w.live[lc] = struct{}{}
	w.wg.Add(1)
	return true
}

func (w *World) untrack(lc *latencyConn) {
	w.mu.Lock()
	delete(w.live, lc)
	w.mu.Unlock()
	w.wg.Done()
}

func (w *World) logf(format string, args ...any) {
	if w.cfg.Logf != nil {
		w.cfg.Logf(format, args...)
	}
}
