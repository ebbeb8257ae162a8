package commands

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nebredis/nebredis/config"
)

// TestParseTimeout checks the timeout rules against what redis-server
// 7.0.15 answers (probed with BLPOP on a missing key).
func TestParseTimeout(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ms   int64
		fail string
	}{
		{"0", 0, ""},
		{"1", 1000, ""},
		{"0.1", 100, ""},
		{"0.0001", 1, ""},   // rounded up: one millisecond, not for ever
		{"-0.0001", 0, ""},  // rounded up to 0: for ever
		{"1e-400", 1, ""},   // a long double still
		{"0x1p-10", 1, ""},  // strtold's hexadecimal floats
		{"0x10", 16000, ""}, //
		{"1.5e-3", 2, ""},
		{"9223372036854775.807", 9223372036854775807, ""},
		{"9223372036854775.808", 0, errTimeoutNegative},
		{"9223372036854775807", 0, errTimeoutNegative},
		{"1e300", 0, errTimeoutNegative},
		{"inf", 0, errTimeoutNegative},
		{"-inf", 0, errTimeoutNegative},
		{"-1", 0, errTimeoutNegative},
		{"1e5000", 0, errTimeoutNotFloat},
		{"nan", 0, errTimeoutNotFloat},
		{"abc", 0, errTimeoutNotFloat},
		{"", 0, errTimeoutNotFloat},
		{" 1", 0, errTimeoutNotFloat},
		{"1 ", 0, errTimeoutNotFloat},
	} {
		ms, fail := parseTimeout([]byte(tc.in))
		if ms != tc.ms || fail != tc.fail {
			t.Errorf("parseTimeout(%q) = %d %q, want %d %q", tc.in, ms, fail, tc.ms, tc.fail)
		}
	}
}

// TestListModel runs random list commands against nebredis and a naive
// []string model and compares every reply.
func TestListModel(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:1")
	model := map[string][]string{}
	keys := []string{"a", "b"}
	vals := []string{"x", "y", "z", "w"}
	idx := func() string { return strconv.Itoa(rng.IntN(12) - 6) }
	bulk := func(s string) string { return rBulk(s) }
	array := func(items []string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(items))
		for _, it := range items {
			b.WriteString(bulk(it))
		}
		return b.String()
	}
	norm := func(i, n int) int {
		if i < 0 {
			return n + i
		}
		return i
	}
	for step := 0; step < 5000; step++ {
		k := keys[rng.IntN(len(keys))]
		l := model[k]
		v := vals[rng.IntN(len(vals))]
		var args []string
		var want string
		switch rng.IntN(10) {
		case 0, 1:
			left := rng.IntN(2) == 0
			args = []string{map[bool]string{true: "LPUSH", false: "RPUSH"}[left], k, v}
			if left {
				l = append([]string{v}, l...)
			} else {
				l = append(l, v)
			}
			want = ":" + strconv.Itoa(len(l)) + "\r\n"
		case 2:
			left := rng.IntN(2) == 0
			args = []string{map[bool]string{true: "LPOP", false: "RPOP"}[left], k}
			switch {
			case len(l) == 0:
				want = "$-1\r\n"
			case left:
				want, l = bulk(l[0]), l[1:]
			default:
				want, l = bulk(l[len(l)-1]), l[:len(l)-1]
			}
		case 3:
			start, stop := idx(), idx()
			args = []string{"LRANGE", k, start, stop}
			s, _ := strconv.Atoi(start)
			e, _ := strconv.Atoi(stop)
			s, e = max(norm(s, len(l)), 0), min(norm(e, len(l)), len(l)-1)
			if s > e {
				want = "*0\r\n"
			} else {
				want = array(l[s : e+1])
			}
		case 4:
			i := idx()
			args = []string{"LSET", k, i, v}
			n, _ := strconv.Atoi(i)
			switch n = norm(n, len(l)); {
			case len(l) == 0:
				want = rErr(ErrNoSuchKey)
			case n < 0 || n >= len(l):
				want = rErr(errIndexOutOfRange)
			default:
				l = slices.Clone(l)
				l[n] = v
				want = "+OK\r\n"
			}
		case 5:
			pivot := vals[rng.IntN(len(vals))]
			after := rng.IntN(2) == 0
			args = []string{"LINSERT", k, map[bool]string{true: "AFTER", false: "BEFORE"}[after], pivot, v}
			at := slices.Index(l, pivot)
			switch {
			case len(l) == 0:
				want = ":0\r\n"
			case at < 0:
				want = ":-1\r\n"
			default:
				if after {
					at++
				}
				l = slices.Insert(slices.Clone(l), at, v)
				want = ":" + strconv.Itoa(len(l)) + "\r\n"
			}
		case 6:
			count := rng.IntN(5) - 2
			args = []string{"LREM", k, strconv.Itoa(count), v}
			var kept []string
			removed := 0
			limit := max(count, -count)
			if count >= 0 {
				for _, e := range l {
					if e == v && (limit == 0 || removed < limit) {
						removed++
						continue
					}
					kept = append(kept, e)
				}
			} else {
				for i := len(l) - 1; i >= 0; i-- {
					if l[i] == v && removed < limit {
						removed++
						continue
					}
					kept = append([]string{l[i]}, kept...)
				}
			}
			l = kept
			want = ":" + strconv.Itoa(removed) + "\r\n"
		case 7:
			start, stop := idx(), idx()
			args = []string{"LTRIM", k, start, stop}
			s, _ := strconv.Atoi(start)
			e, _ := strconv.Atoi(stop)
			s, e = max(norm(s, len(l)), 0), min(norm(e, len(l)), len(l)-1)
			if s > e {
				l = nil
			} else {
				l = l[s : e+1]
			}
			want = "+OK\r\n"
		case 8:
			args = []string{"LPOS", k, v, "RANK", strconv.Itoa(rng.IntN(3) + 1), "COUNT", "0"}
			rank, _ := strconv.Atoi(args[4])
			var at []string
			for i, e := range l {
				if e == v {
					if rank--; rank <= 0 {
						at = append(at, ":"+strconv.Itoa(i)+"\r\n")
					}
				}
			}
			want = "*" + strconv.Itoa(len(at)) + "\r\n" + strings.Join(at, "")
		case 9:
			dst := keys[rng.IntN(len(keys))]
			from, to := rng.IntN(2) == 0, rng.IntN(2) == 0
			side := map[bool]string{true: "LEFT", false: "RIGHT"}
			args = []string{"LMOVE", k, dst, side[from], side[to]}
			if len(l) == 0 {
				want = "$-1\r\n"
				break
			}
			var e string
			if from {
				e, l = l[0], l[1:]
			} else {
				e, l = l[len(l)-1], l[:len(l)-1]
			}
			model[k] = l
			d := model[dst]
			if to {
				d = append([]string{e}, d...)
			} else {
				d = append(slices.Clone(d), e)
			}
			model[dst] = d
			l = model[k]
			want = bulk(e)
		}
		model[k] = l
		if got := ts.do(sess, args...); got != want {
			t.Fatalf("step %d: %q: got %q, want %q (model %q)", step, args, got, want, model)
		}
		for _, key := range keys {
			if got, want := ts.do(sess, "LLEN", key), ":"+strconv.Itoa(len(model[key]))+"\r\n"; got != want {
				t.Fatalf("step %d after %q: LLEN %s = %q, want %q", step, args, key, got, want)
			}
		}
	}
}

// TestBlockingHandOff has many clients blocked on one list while others
// push to it: every element must reach exactly one client (run with -race).
func TestBlockingHandOff(t *testing.T) {
	ts := newTestServer(t, config.Default())
	const waiters, each, pushers = 8, 50, 4
	got := make(chan string, waiters*each)
	var wg sync.WaitGroup
	for i := range waiters {
		sess, _ := ts.session("127.0.0.1:" + strconv.Itoa(1000+i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				cmd := "BLPOP"
				if i%2 == 1 {
					cmd = "BRPOP"
				}
				r := ts.do(sess, cmd, "other", "q", "5")
				// *2 $1 q $<n> <value>
				parts := strings.Split(r, "\r\n")
				if len(parts) != 6 || parts[0] != "*2" || parts[2] != "q" {
					t.Errorf("%s: %q", cmd, r)
					return
				}
				got <- parts[4]
			}
		}()
	}
	var pw sync.WaitGroup
	for p := range pushers {
		sess, _ := ts.session("127.0.0.1:" + strconv.Itoa(2000+p))
		pw.Add(1)
		go func() {
			defer pw.Done()
			for j := 0; j < waiters*each/pushers; j++ {
				ts.do(sess, "RPUSH", "q", fmt.Sprintf("%d-%d", p, j))
			}
		}()
	}
	pw.Wait()
	wg.Wait()
	close(got)
	seen := map[string]bool{}
	for v := range got {
		if seen[v] {
			t.Errorf("%s delivered twice", v)
		}
		seen[v] = true
	}
	if len(seen) != waiters*each {
		t.Errorf("%d elements delivered, want %d", len(seen), waiters*each)
	}
	sess, _ := ts.session("127.0.0.1:3000")
	if r := ts.do(sess, "LLEN", "q"); r != ":0\r\n" {
		t.Errorf("LLEN q = %q", r)
	}
	if n := ts.srv.BlockedClients(); n != 0 {
		t.Errorf("BlockedClients = %d after every client was served", n)
	}
}

// TestBlockingGone checks that a client whose connection is gone is never
// served, whether its goroutine or a push notices first.
func TestBlockingGone(t *testing.T) {
	ts := newTestServer(t, config.Default())
	pusher, _ := ts.session("127.0.0.1:1")
	for round := range 50 {
		sess, _ := ts.session("127.0.0.1:2")
		gone := make(chan struct{})
		ended := false
		sess.BeginWait = func() (<-chan struct{}, func()) { return gone, func() { ended = true } }
		reply := make(chan string, 1)
		go func() { reply <- ts.do(sess, "BLPOP", "g", "5") }()
		// Wait until the waiter is registered, not merely counted: a
		// push that lands while BLPOP still tries the list at once serves
		// it, as Redis serves a command that runs before it sees the
		// disconnect.
		for {
			b := ts.srv.Table.waits
			b.mu.Lock()
			n := len(b.bySess)
			b.mu.Unlock()
			if n > 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		close(gone)
		if r := ts.do(pusher, "RPUSH", "g", "v"); r != ":1\r\n" {
			t.Fatalf("round %d: RPUSH = %q", round, r)
		}
		if r := <-reply; r != "" {
			t.Fatalf("round %d: a client that is gone got %q", round, r)
		}
		if !ended {
			t.Fatalf("round %d: the wait was not ended", round)
		}
		if r := ts.do(pusher, "LPOP", "g"); r != rBulk("v") {
			t.Fatalf("round %d: the element was taken: LPOP = %q", round, r)
		}
	}
}

// TestBlockingTimeoutAndUnblock covers the timeout reply, CLIENT UNBLOCK
// and the shapes of the replies of served clients.
func TestBlockingTimeoutAndUnblock(t *testing.T) {
	ts := newTestServer(t, config.Default())
	a, _ := ts.session("127.0.0.1:1")
	b, _ := ts.session("127.0.0.1:2")
	start := time.Now()
	if r := ts.do(a, "BLPOP", "t", "0.05"); r != "*-1\r\n" {
		t.Errorf("BLPOP timeout = %q", r)
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > 2*time.Second {
		t.Errorf("BLPOP 0.05 returned after %v", d)
	}
	a.SetProto(3)
	if r := ts.do(a, "BRPOPLPUSH", "t", "u", "0.01"); r != "_\r\n" {
		t.Errorf("RESP3 BRPOPLPUSH timeout = %q", r)
	}
	a.SetProto(2)

	for _, tc := range []struct{ how, want string }{
		{"TIMEOUT", "*-1\r\n"},
		{"ERROR", rErr(errUnblocked)},
	} {
		reply := make(chan string, 1)
		go func() { reply <- ts.do(a, "BLMPOP", "5", "2", "t", "u", "LEFT") }()
		for ts.srv.BlockedClients() == 0 {
			time.Sleep(time.Millisecond)
		}
		if r := ts.do(b, "CLIENT", "UNBLOCK", strconv.FormatInt(a.ID, 10), tc.how); r != ":1\r\n" {
			t.Errorf("CLIENT UNBLOCK %s = %q", tc.how, r)
		}
		if r := <-reply; r != tc.want {
			t.Errorf("unblocked with %s: %q, want %q", tc.how, r, tc.want)
		}
	}

	reply := make(chan string, 1)
	go func() { reply <- ts.do(a, "BLMPOP", "5", "2", "t", "u", "RIGHT", "COUNT", "2") }()
	for ts.srv.BlockedClients() == 0 {
		time.Sleep(time.Millisecond)
	}
	ts.do(b, "RPUSH", "u", "1", "2", "3")
	if r, want := <-reply, "*2\r\n"+rBulk("u")+"*2\r\n"+rBulk("3")+rBulk("2"); r != want {
		t.Errorf("served BLMPOP = %q, want %q", r, want)
	}
}
