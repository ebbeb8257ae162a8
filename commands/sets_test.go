package commands

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nebredis/nebredis/config"
)

// decodeRESP reads one RESP value from s: strings for simple strings,
// bulk strings and integers, errors as "-message", nil for nulls and []any
// for aggregates (maps flattened). It returns the rest of s.
func decodeRESP(s string) (any, string, error) {
	end := strings.Index(s, "\r\n")
	if len(s) == 0 || end < 0 {
		return nil, s, fmt.Errorf("truncated reply %q", s)
	}
	head, rest := s[1:end], s[end+2:]
	switch s[0] {
	case '+', ':', ',':
		return head, rest, nil
	case '-':
		return "-" + head, rest, nil
	case '_':
		return nil, rest, nil
	case '$':
		n, _ := strconv.Atoi(head)
		if n < 0 {
			return nil, rest, nil
		}
		return rest[:n], rest[n+2:], nil
	case '*', '~', '%':
		n, _ := strconv.Atoi(head)
		if n < 0 {
			return nil, rest, nil
		}
		if s[0] == '%' {
			n *= 2
		}
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			var v any
			var err error
			if v, rest, err = decodeRESP(rest); err != nil {
				return nil, rest, err
			}
			out = append(out, v)
		}
		return out, rest, nil
	}
	return nil, s, fmt.Errorf("unknown reply type in %q", s)
}

// strs runs a command whose reply is a flat aggregate of bulk strings.
func (ts *testServer) strs(sess *Session, args ...string) []string {
	ts.t.Helper()
	raw := ts.do(sess, args...)
	v, rest, err := decodeRESP(raw)
	elems, ok := v.([]any)
	if err != nil || rest != "" || !ok {
		ts.t.Fatalf("%q: reply %q is not an aggregate (%v)", args, raw, err)
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		s, ok := e.(string)
		if !ok {
			ts.t.Fatalf("%q: element %d of %q is not a string", args, i, raw)
		}
		out[i] = s
	}
	return out
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// modelSet is the naive model the set commands are checked against.
type modelSet map[string]bool

func (m modelSet) sorted() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestSetAlgebraModel runs random SADD/SREM/SMOVE/SPOP and the multi-key
// commands (with missing and repeated keys, destinations among the
// sources) against a map-based model.
func TestSetAlgebraModel(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:7001")
	keys := []string{"s0", "s1", "s2", "s3", "missing"}
	model := map[string]modelSet{}
	member := func() string {
		if rng.IntN(2) == 0 {
			return strconv.Itoa(rng.IntN(40) - 5) // integers: the intset order
		}
		return "m" + strconv.Itoa(rng.IntN(40))
	}
	pickKeys := func() []string {
		n := 1 + rng.IntN(4)
		out := make([]string, n)
		for i := range out {
			out[i] = keys[rng.IntN(len(keys))]
		}
		return out
	}
	compute := func(op string, ks []string) modelSet {
		res := modelSet{}
		switch op {
		case "sunion":
			for _, k := range ks {
				for m := range model[k] {
					res[m] = true
				}
			}
		case "sinter":
			for m := range model[ks[0]] {
				in := true
				for _, k := range ks[1:] {
					in = in && model[k][m]
				}
				if in {
					res[m] = true
				}
			}
		case "sdiff":
			for m := range model[ks[0]] {
				out := false
				for _, k := range ks[1:] {
					out = out || model[k][m]
				}
				if !out {
					res[m] = true
				}
			}
		}
		return res
	}
	for step := 0; step < 3000; step++ {
		k := keys[rng.IntN(len(keys)-1)]
		switch r := rng.IntN(10); {
		case r < 3:
			m := member()
			ts.do(sess, "sadd", k, m)
			if model[k] == nil {
				model[k] = modelSet{}
			}
			model[k][m] = true
		case r < 4:
			m := member()
			ts.do(sess, "srem", k, m)
			delete(model[k], m)
		case r < 5:
			dst, m := keys[rng.IntN(len(keys)-1)], member()
			want := ":0\r\n"
			if model[k][m] {
				want = ":1\r\n"
				delete(model[k], m)
				if model[dst] == nil {
					model[dst] = modelSet{}
				}
				model[dst][m] = true
			}
			if got := ts.do(sess, "smove", k, dst, m); got != want {
				t.Fatalf("step %d: smove %s %s %s = %q, want %q", step, k, dst, m, got, want)
			}
		case r < 6:
			n := rng.IntN(4)
			popped := ts.strs(sess, "spop", k, strconv.Itoa(n))
			if want := min(n, len(model[k])); len(popped) != want {
				t.Fatalf("step %d: spop %s %d gave %d members, want %d", step, k, n, len(popped), want)
			}
			for _, m := range popped {
				if !model[k][m] {
					t.Fatalf("step %d: spop %s returned %q, not a member", step, k, m)
				}
				delete(model[k], m)
			}
		default:
			op := []string{"sinter", "sunion", "sdiff"}[rng.IntN(3)]
			ks := pickKeys()
			want := compute(op, ks).sorted()
			got := ts.strs(sess, append([]string{op}, ks...)...)
			if !slices.Equal(sortedCopy(got), want) {
				t.Fatalf("step %d: %s %v = %v, want %v", step, op, ks, got, want)
			}
			if op == "sinter" {
				limit := rng.IntN(4)
				args := append([]string{"sintercard", strconv.Itoa(len(ks))}, ks...)
				args = append(args, "LIMIT", strconv.Itoa(limit))
				wantCard := len(want)
				if limit > 0 {
					wantCard = min(wantCard, limit)
				}
				if got := ts.do(sess, args...); got != ":"+strconv.Itoa(wantCard)+"\r\n" {
					t.Fatalf("step %d: %v = %q, want %d", step, args, got, wantCard)
				}
			}
			dst := keys[rng.IntN(len(keys)-1)]
			res := compute(op, ks)
			if got := ts.do(sess, append([]string{op + "store", dst}, ks...)...); got != ":"+strconv.Itoa(len(res))+"\r\n" {
				t.Fatalf("step %d: %sstore %s %v = %q, want %d", step, op, dst, ks, got, len(res))
			}
			model[dst] = res
		}
		if step%50 == 0 {
			for _, k := range keys {
				got := ts.strs(sess, "smembers", k)
				if !slices.Equal(sortedCopy(got), model[k].sorted()) {
					t.Fatalf("step %d: smembers %s = %v, want %v", step, k, got, model[k].sorted())
				}
				exists := ts.do(sess, "exists", k) == ":1\r\n"
				if exists != (len(model[k]) > 0) {
					t.Fatalf("step %d: exists %s = %v with %d members", step, k, exists, len(model[k]))
				}
			}
		}
	}
}

// TestSetIntsetOrder: sets Redis holds as intsets reply in ascending
// order, and so do results Redis builds as intsets.
func TestSetIntsetOrder(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:7002")
	ts.do(sess, "sadd", "a", "10", "-3", "7", "0", "100", "2")
	ts.do(sess, "sadd", "b", "7", "2", "55", "-3")
	ascending := func(args ...string) {
		t.Helper()
		got := ts.strs(sess, args...)
		want := slices.Clone(got)
		slices.SortFunc(want, func(x, y string) int {
			a, _ := strconv.Atoi(x)
			b, _ := strconv.Atoi(y)
			return a - b
		})
		if !slices.Equal(got, want) {
			t.Errorf("%q = %v, not in ascending order", args, got)
		}
	}
	ascending("smembers", "a")
	ascending("sinter", "a", "b")
	ascending("sunion", "a", "b")
	ascending("sdiff", "a", "b")
	ascending("srandmember", "a", "100")
	if got := ts.do(sess, "sscan", "a", "1", "COUNT", "1"); got != "*2\r\n"+rBulk("0")+"*6\r\n"+rBulk("-3")+rBulk("0")+rBulk("2")+rBulk("7")+rBulk("10")+rBulk("100") {
		t.Errorf("sscan of an intset: %q", got)
	}
	ascending("spop", "b", "10")
}

// TestSetSampling checks SRANDMEMBER and SPOP counts on a set big enough
// for both sampling strategies.
func TestSetSampling(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:7003")
	all := modelSet{}
	args := []string{"sadd", "s"}
	for i := 0; i < 1000; i++ {
		m := "member" + strconv.Itoa(i)
		all[m] = true
		args = append(args, m)
	}
	ts.do(sess, args...)
	distinct := func(got []string, n int) {
		t.Helper()
		if len(got) != n {
			t.Fatalf("got %d members, want %d", len(got), n)
		}
		seen := map[string]bool{}
		for _, m := range got {
			if !all[m] || seen[m] {
				t.Fatalf("member %q repeated or unknown", m)
			}
			seen[m] = true
		}
	}
	distinct(ts.strs(sess, "srandmember", "s", "10"), 10)   // random draws
	distinct(ts.strs(sess, "srandmember", "s", "900"), 900) // shuffle
	distinct(ts.strs(sess, "srandmember", "s", "5000"), 1000)
	rep := ts.strs(sess, "srandmember", "s", "-3000")
	if len(rep) != 3000 {
		t.Fatalf("srandmember -3000 gave %d", len(rep))
	}
	for _, m := range rep {
		if !all[m] {
			t.Fatalf("srandmember returned %q", m)
		}
	}
	for _, n := range []int{300, 650, 40} {
		popped := ts.strs(sess, "spop", "s", strconv.Itoa(n))
		distinct(popped, n)
		for _, m := range popped {
			delete(all, m)
		}
		if got, want := ts.do(sess, "scard", "s"), ":"+strconv.Itoa(len(all))+"\r\n"; got != want {
			t.Fatalf("scard after spop %d: %q, want %q", n, got, want)
		}
	}
	if got := ts.do(sess, "srandmember", "s", "-9223372036854775807"); got != rErr("ERR value is out of range") {
		t.Errorf("huge negative count: %q", got)
	}
}

// TestSscanLargeSet iterates a hashtable-encoded set in small pages.
func TestSscanLargeSet(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:7004")
	args := []string{"sadd", "s"}
	want := modelSet{}
	for i := 0; i < 3000; i++ {
		m := "k" + strconv.Itoa(i)
		args = append(args, m)
		want[m] = true
	}
	ts.do(sess, args...)
	for _, tc := range []struct {
		opts  []string
		match func(string) bool
	}{
		{[]string{"COUNT", "7"}, func(string) bool { return true }},
		{[]string{"MATCH", "k1*", "COUNT", "50"}, func(m string) bool { return strings.HasPrefix(m, "k1") }},
	} {
		seen := modelSet{}
		cursor := "0"
		for calls := 0; ; calls++ {
			if calls > 10000 {
				t.Fatal("cursor never returned to 0")
			}
			raw := ts.do(sess, append([]string{"sscan", "s", cursor}, tc.opts...)...)
			v, _, err := decodeRESP(raw)
			page, ok := v.([]any)
			if err != nil || !ok || len(page) != 2 {
				t.Fatalf("sscan reply %q", raw)
			}
			for _, m := range page[1].([]any) {
				if !tc.match(m.(string)) {
					t.Fatalf("%v returned %q", tc.opts, m)
				}
				seen[m.(string)] = true
			}
			if cursor = page[0].(string); cursor == "0" {
				break
			}
		}
		for m := range want {
			if tc.match(m) && !seen[m] {
				t.Fatalf("%v never returned %q", tc.opts, m)
			}
		}
	}
}

// TestSmoveConcurrent moves members back and forth between two sets from
// several connections: none is lost or duplicated.
func TestSmoveConcurrent(t *testing.T) {
	ts := newTestServer(t, config.Default())
	setup, _ := ts.session("127.0.0.1:7005")
	args := []string{"sadd", "a"}
	for i := 0; i < 100; i++ {
		args = append(args, strconv.Itoa(i))
	}
	ts.do(setup, args...)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		sess := ts.srv.NewSession("127.0.0.1:"+strconv.Itoa(7100+g), "127.0.0.1:6379", func() {})
		t.Cleanup(func() { ts.srv.CloseSession(sess) })
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				m := strconv.Itoa((i*7 + g) % 100)
				src, dst := "a", "b"
				if i%2 == 1 {
					src, dst = dst, src
				}
				ts.srv.Exec(sess, [][]byte{[]byte("smove"), []byte(src), []byte(dst), []byte(m)}, &respRecorder{sess: sess})
			}
		}(g)
	}
	wg.Wait()
	got := ts.strs(setup, "sunion", "a", "b")
	if len(got) != 100 {
		t.Fatalf("sunion has %d members, want 100", len(got))
	}
	if a, b := ts.do(setup, "scard", "a"), ts.do(setup, "scard", "b"); a == b && a == ":0\r\n" {
		t.Fatal("both sets empty")
	}
	inter := ts.strs(setup, "sinter", "a", "b")
	if len(inter) != 0 {
		t.Fatalf("members in both sets: %v", inter)
	}
}
