package commands

import (
	"crypto/rand"
	"encoding/hex"
	"runtime/metrics"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// serverStats are the server-wide counters of INFO stats. Each is updated
// with atomics by connection goroutines; errors has its own lock because
// it is touched only on the error path.
type serverStats struct {
	commands    atomic.Int64 // total_commands_processed
	hits        atomic.Int64 // keyspace_hits
	misses      atomic.Int64 // keyspace_misses
	connections atomic.Int64 // total_connections_received
	rejectedCon atomic.Int64 // rejected_connections
	netIn       atomic.Int64 // total_net_input_bytes
	netOut      atomic.Int64 // total_net_output_bytes
	errReplies  atomic.Int64 // total_error_replies

	errMu  sync.Mutex       // guards errors
	errors map[string]int64 // errorstat_<PREFIX>: count

	ops opsMeter
}

// maxErrorPrefixes bounds INFO errorstats, as Redis does, so that clients
// cannot grow it without limit with made-up error codes.
const maxErrorPrefixes = 128

// noteError counts an error reply by its code (the first word).
func (st *serverStats) noteError(msg string) {
	st.errReplies.Add(1)
	code := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		code = msg[:i]
	}
	st.errMu.Lock()
	if st.errors == nil {
		st.errors = make(map[string]int64)
	}
	if _, ok := st.errors[code]; ok || len(st.errors) < maxErrorPrefixes {
		st.errors[code]++
	}
	st.errMu.Unlock()
}

// errorCounts returns errorstats sorted by code.
func (st *serverStats) errorCounts() [][2]any {
	st.errMu.Lock()
	defer st.errMu.Unlock()
	codes := make([]string, 0, len(st.errors))
	for c := range st.errors {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	out := make([][2]any, len(codes))
	for i, c := range codes {
		out[i] = [2]any{c, st.errors[c]}
	}
	return out
}

func (st *serverStats) reset() {
	st.commands.Store(0)
	st.hits.Store(0)
	st.misses.Store(0)
	st.connections.Store(0)
	st.rejectedCon.Store(0)
	st.netIn.Store(0)
	st.netOut.Store(0)
	st.errReplies.Store(0)
	st.errMu.Lock()
	st.errors = nil
	st.errMu.Unlock()
}

// Hit counts a keyspace hit (INFO keyspace_hits): a read command found its
// key. Handlers of read commands call Hit or Miss once per key looked up.
func (s *Server) Hit() { s.stats.hits.Add(1) }

// Miss counts a keyspace miss (INFO keyspace_misses).
func (s *Server) Miss() { s.stats.misses.Add(1) }

// CountNet adds bytes read from and written to clients (INFO
// total_net_input_bytes / total_net_output_bytes); resp/ calls it per
// read or flush, not per command.
func (s *Server) CountNet(in, out int64) {
	if in != 0 {
		s.stats.netIn.Add(in)
	}
	if out != 0 {
		s.stats.netOut.Add(out)
	}
}

// RejectedConnection counts a connection refused for maxclients (INFO
// rejected_connections).
func (s *Server) RejectedConnection() { s.stats.rejectedCon.Add(1) }

// opsMeter estimates instantaneous_ops_per_sec from samples of the command
// counter taken at most every opsSampleEvery by the dispatcher itself, so
// that no background goroutine is needed.
type opsMeter struct {
	next atomic.Int64 // monotonic ns after which the next sample is due

	mu      sync.Mutex // guards samples, n
	samples [opsSamples]opsSample
	n       int // samples taken so far
}

type opsSample struct {
	at  int64 // monotonic ns since the server started
	ops int64
}

const (
	opsSamples     = 16
	opsSampleEvery = int64(100 * time.Millisecond)
)

// maybeSample records (now, ops) when a sample is due. now is monotonic
// nanoseconds since the server started.
func (m *opsMeter) maybeSample(now, ops int64) {
	next := m.next.Load()
	if now < next || !m.next.CompareAndSwap(next, now+opsSampleEvery) {
		return
	}
	m.mu.Lock()
	m.samples[m.n%opsSamples] = opsSample{at: now, ops: ops}
	m.n++
	m.mu.Unlock()
}

// rate is the command rate ending at (now, ops), measured against the
// newest sample that is at least a second old, or the oldest one retained
// that is at least 100ms old.
func (m *opsMeter) rate(now, ops int64) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var base *opsSample
	for i := 0; i < min(m.n, opsSamples); i++ {
		sm := &m.samples[(m.n-1-i)%opsSamples]
		dt := now - sm.at
		if dt < opsSampleEvery {
			continue
		}
		base = sm
		if dt >= int64(time.Second) {
			break
		}
	}
	if base == nil {
		return 0
	}
	return (ops - base.ops) * int64(time.Second) / (now - base.at)
}

func (m *opsMeter) reset() {
	m.mu.Lock()
	m.n = 0
	m.mu.Unlock()
}

// memSampler caches the Go heap size: reading runtime metrics on every
// INFO would be cheap, but INFO may be polled in a tight loop.
type memSampler struct {
	mu   sync.Mutex // guards at, heap
	at   time.Time
	heap int64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

// goHeap returns the bytes of live and not yet swept Go heap objects,
// sampled at most once a second.
func (m *memSampler) goHeap() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if time.Since(m.at) < time.Second && !m.at.IsZero() {
		return m.heap
	}
	sample := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(sample)
	if sample[0].Value.Kind() == metrics.KindUint64 {
		m.heap = int64(sample[0].Value.Uint64())
	}
	m.at = time.Now()
	return m.heap
}

// newRunID returns 40 random hex digits, INFO's run_id.
func newRunID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func sortSessions(ss []*Session) {
	slices.SortFunc(ss, func(a, b *Session) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}
