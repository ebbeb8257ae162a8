package commands

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/nebredis/nebredis/config"
)

// TestHashModel runs random HSET/HSETNX/HDEL/HINCRBY against a map and
// compares HGETALL, HLEN, HMGET and key existence along the way.
func TestHashModel(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:7201")
	model := map[string]string{}
	field := func() string { return "f" + strconv.Itoa(rng.IntN(60)) }
	for step := 0; step < 3000; step++ {
		f := field()
		switch r := rng.IntN(8); {
		case r < 3:
			v := strconv.Itoa(rng.IntN(1000))
			_, had := model[f]
			want := ":1\r\n"
			if had {
				want = ":0\r\n"
			}
			if got := ts.do(sess, "hset", "h", f, v); got != want {
				t.Fatalf("step %d: hset %s = %q, want %q", step, f, got, want)
			}
			model[f] = v
		case r < 4:
			_, had := model[f]
			got := ts.do(sess, "hsetnx", "h", f, "nx")
			if had != (got == ":0\r\n") {
				t.Fatalf("step %d: hsetnx %s = %q with field present %v", step, f, got, had)
			}
			if !had {
				model[f] = "nx"
			}
		case r < 6:
			_, had := model[f]
			if got := ts.do(sess, "hdel", "h", f, "never"); got != ":"+strconv.Itoa(boolInt(had))+"\r\n" {
				t.Fatalf("step %d: hdel %s = %q", step, f, got)
			}
			delete(model, f)
		default:
			cur, had := model[f]
			n := 0
			if had {
				var err error
				if n, err = strconv.Atoi(cur); err != nil {
					if got := ts.do(sess, "hincrby", "h", f, "1"); got != rErr("ERR hash value is not an integer") {
						t.Fatalf("step %d: hincrby on %q = %q", step, cur, got)
					}
					continue
				}
			}
			want := strconv.Itoa(n + 3)
			if got := ts.do(sess, "hincrby", "h", f, "3"); got != ":"+want+"\r\n" {
				t.Fatalf("step %d: hincrby %s = %q, want %s", step, f, got, want)
			}
			model[f] = want
		}
		if step%50 == 0 {
			var want []string
			for f, v := range model {
				want = append(want, f+"="+v)
			}
			slices.Sort(want)
			flat := ts.strs(sess, "hgetall", "h")
			var got []string
			for i := 0; i+1 < len(flat); i += 2 {
				got = append(got, flat[i]+"="+flat[i+1])
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("step %d: hgetall = %v, want %v", step, got, want)
			}
			if got := ts.do(sess, "hlen", "h"); got != ":"+strconv.Itoa(len(model))+"\r\n" {
				t.Fatalf("step %d: hlen = %q, want %d", step, got, len(model))
			}
			if exists := ts.do(sess, "exists", "h") == ":1\r\n"; exists != (len(model) > 0) {
				t.Fatalf("step %d: exists = %v with %d fields", step, exists, len(model))
			}
			f := field()
			if v, ok := model[f]; ok {
				if got := ts.do(sess, "hmget", "h", f); got != "*1\r\n"+rBulk(v) {
					t.Fatalf("step %d: hmget %s = %q, want %q", step, f, got, v)
				}
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestHrandfield checks counts, distinctness and field/value pairing in
// both protocols, on a hash big enough for both sampling strategies.
func TestHrandfield(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:7202")
	args := []string{"hset", "h"}
	for i := 0; i < 500; i++ {
		args = append(args, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	ts.do(sess, args...)
	check := func(count string, want int, distinct bool) {
		t.Helper()
		for _, proto := range []int{2, 3} {
			sess.Proto = proto
			raw := ts.do(sess, "hrandfield", "h", count, "WITHVALUES")
			v, rest, err := decodeRESP(raw)
			elems, _ := v.([]any)
			if err != nil || rest != "" {
				t.Fatalf("reply %q: %v", raw, err)
			}
			var pairs [][2]string
			if proto == 3 {
				for _, e := range elems {
					p := e.([]any)
					pairs = append(pairs, [2]string{p[0].(string), p[1].(string)})
				}
			} else {
				for i := 0; i+1 < len(elems); i += 2 {
					pairs = append(pairs, [2]string{elems[i].(string), elems[i+1].(string)})
				}
			}
			if len(pairs) != want {
				t.Fatalf("RESP%d hrandfield %s: %d pairs, want %d", proto, count, len(pairs), want)
			}
			seen := map[string]bool{}
			for _, p := range pairs {
				if "v"+p[0][1:] != p[1] {
					t.Fatalf("pair %v does not belong together", p)
				}
				if distinct && seen[p[0]] {
					t.Fatalf("hrandfield %s repeated %s", count, p[0])
				}
				seen[p[0]] = true
			}
		}
		sess.Proto = 2
	}
	check("5", 5, true)
	check("400", 400, true)
	check("1000", 500, true)
	check("-1000", 1000, false)
	check("1", 1, true)
	check("-1", 1, false)
	if got := ts.do(sess, "hrandfield", "h", "-4611686018427387903", "WITHVALUES"); got != rErr("ERR value is out of range") {
		t.Errorf("huge negative count: %q", got)
	}
}

// TestHscanLargeHash iterates a hashtable-encoded hash in small pages.
func TestHscanLargeHash(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:7203")
	args := []string{"hset", "h"}
	for i := 0; i < 2000; i++ {
		args = append(args, "f"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	ts.do(sess, args...)
	seen := map[string]string{}
	cursor := "0"
	for calls := 0; ; calls++ {
		if calls > 10000 {
			t.Fatal("cursor never returned to 0")
		}
		raw := ts.do(sess, "hscan", "h", cursor, "COUNT", "9")
		v, _, err := decodeRESP(raw)
		page, ok := v.([]any)
		if err != nil || !ok || len(page) != 2 {
			t.Fatalf("hscan reply %q", raw)
		}
		flat := page[1].([]any)
		for i := 0; i+1 < len(flat); i += 2 {
			seen[flat[i].(string)] = flat[i+1].(string)
		}
		if cursor = page[0].(string); cursor == "0" {
			break
		}
	}
	if len(seen) != 2000 {
		t.Fatalf("hscan saw %d fields, want 2000", len(seen))
	}
	for f, v := range seen {
		if "v"+f[1:] != v {
			t.Fatalf("hscan paired %s with %s", f, v)
		}
	}
}

// TestHincrbyConcurrent: increments from several connections all land.
func TestHincrbyConcurrent(t *testing.T) {
	ts := newTestServer(t, config.Default())
	setup, _ := ts.session("127.0.0.1:7204")
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		sess := ts.srv.NewSession("127.0.0.1:"+strconv.Itoa(7300+g), "127.0.0.1:6379", func() {})
		t.Cleanup(func() { ts.srv.CloseSession(sess) })
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				ts.srv.Exec(sess, [][]byte{[]byte("hincrby"), []byte("h"), []byte("n"), []byte("2")}, &respRecorder{sess: sess})
				ts.srv.Exec(sess, [][]byte{[]byte("hincrbyfloat"), []byte("h"), []byte("x"), []byte("0.5")}, &respRecorder{sess: sess})
			}
		}()
	}
	wg.Wait()
	if got := ts.do(setup, "hmget", "h", "n", "x"); got != "*2\r\n"+rBulk("4000")+rBulk("1000") {
		t.Fatalf("hmget after concurrent increments: %q", got)
	}
}
