package e2e

import (
	"flag"
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	randomSeed = flag.Int64("seed", 0, "seed for TestRandomDiff; 0 picks one (it is logged, pass it back to replay)")
	randomOps  = flag.Int("ops", 10000, "number of commands TestRandomDiff sends")
)

// TestRandomDiff sends the same random sequence of string and keyspace
// commands over a small key set to redis-server and nebredis and stops at
// the first reply that differs, printing the seed and the commands leading
// to it. Expiry times are long (or already past) so that replies do not
// depend on how fast the two servers run.
func TestRandomDiff(t *testing.T) {
	seed := *randomSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	t.Logf("seed %d (replay with: go test ./e2e -run TestRandomDiff -seed %d)", seed, seed)
	pair := startPair(t)
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			pair.flush(t)
			randomDiff(t, pair, seed, proto)
		})
	}
}

func randomDiff(t *testing.T, pair *serverPair, seed int64, proto int) {
	c := pair.dial(t)
	if proto == 3 {
		for _, rc := range []*rawClient{c.redis, c.neb} {
			if r, err := rc.Do("HELLO", "3"); err != nil || r[0] != '%' {
				t.Fatalf("HELLO 3: %q %v", r, err)
			}
		}
	}
	g := &cmdGen{r: rand.New(rand.NewSource(seed))}
	var history []string
	for i := 0; i < *randomOps; i++ {
		st := g.next()
		line := quoteArgs(st.args)
		history = append(history, line)
		if len(history) > 25 {
			history = history[1:]
		}
		req := encodeCommand(st.args...)
		want, werr := exchange(c.redis, req)
		got, gerr := exchange(c.neb, req)
		if werr != nil || gerr != nil {
			t.Fatalf("seed %d, RESP%d, command %d: %s\n  redis:    %s (err %v)\n  nebredis: %s (err %v)\nlast commands:\n  %s",
				seed, proto, i, line, quoteReply(want), werr, quoteReply(got), gerr, strings.Join(history, "\n  "))
		}
		if ok, how := sameReply(st, want, got); !ok {
			t.Fatalf("seed %d, RESP%d, command %d: %s\n%s%s\nlast commands:\n  %s",
				seed, proto, i, line, describeDiff(want, got), how, strings.Join(history, "\n  "))
		}
	}
}

// quoteArgs renders a command in the testdata script syntax, so a failing
// sequence can be pasted into a script.
func quoteArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \"'\\") || strconv.Quote(a) != `"`+a+`"` {
			out[i] = strconv.Quote(a)
		} else {
			out[i] = a
		}
	}
	return strings.Join(out, " ")
}

// cmdGen generates commands over a handful of keys in three databases.
type cmdGen struct {
	r *rand.Rand
}

var randomKeys = []string{"k0", "k1", "k2", "k3", "k4", "k5", "n0", "n1"}

var randomValues = []string{"", "a", "hello", "abcab", "bacba", "12", "-7", "0", "3.5", "1e3",
	"9223372036854775807", "-9223372036854775808", "\x00\xff", " 1", "ohmytext", "mynewtext"}

// farFuture is 2100-01-01 in unix seconds: an absolute expiry that never
// fires during a test.
const farFuture = 4102444800

func (g *cmdGen) key() string { return randomKeys[g.r.Intn(len(randomKeys))] }

func (g *cmdGen) keys(max int) []string {
	n := 1 + g.r.Intn(max)
	out := make([]string, n)
	for i := range out {
		out[i] = g.key()
	}
	return out
}

func (g *cmdGen) value() string {
	if g.r.Intn(4) == 0 {
		b := make([]byte, g.r.Intn(8))
		for i := range b {
			b[i] = "abc"[g.r.Intn(3)]
		}
		return string(b)
	}
	if g.r.Intn(4) == 0 { // keys that INCR can work on
		return strconv.Itoa(g.r.Intn(200) - 100)
	}
	return randomValues[g.r.Intn(len(randomValues))]
}

func (g *cmdGen) pick(choices ...string) string { return choices[g.r.Intn(len(choices))] }

// seconds is a relative TTL long enough that it cannot pass during a test.
func (g *cmdGen) seconds() string { return strconv.Itoa(1000 + g.r.Intn(100000)) }

func (g *cmdGen) integer() string {
	switch g.r.Intn(8) {
	case 0:
		return g.pick("9223372036854775807", "-9223372036854775808", "9223372036854775806")
	case 1:
		return g.pick("abc", "1.5", "", "99999999999999999999")
	}
	return strconv.Itoa(g.r.Intn(2001) - 1000)
}

// float is an increment whose sums are exact in binary, so that the test
// checks formatting rather than long-double rounding (counters.txt covers
// that).
func (g *cmdGen) float() string {
	switch g.r.Intn(10) {
	case 0:
		return g.pick("abc", "inf", "", "1e400")
	case 1:
		return g.pick("1e3", "2.5e2", "-0", "0")
	}
	return strconv.FormatFloat(float64(g.r.Intn(4001)-2000)/8, 'f', -1, 64)
}

// setExpiry is an optional SET/GETEX expiry clause, sometimes an invalid one.
func (g *cmdGen) setExpiry() []string {
	switch g.r.Intn(8) {
	case 0:
		return []string{"EX", g.seconds()}
	case 1:
		return []string{"PX", g.seconds() + "000"}
	case 2:
		return []string{"EXAT", strconv.Itoa(farFuture + g.r.Intn(1000))}
	case 3:
		return []string{"PXAT", strconv.Itoa(farFuture*1000 + g.r.Intn(1000000))}
	case 4:
		return []string{"KEEPTTL"}
	case 5:
		return []string{"EX", g.pick("0", "-1", "abc")}
	}
	return nil
}

func (g *cmdGen) next() step {
	args := g.command()
	st := step{args: args}
	switch strings.ToUpper(args[0]) {
	case "KEYS":
		st.op = "sort"
	case "PTTL":
		st.op, st.near = "near", 1000
	case "PEXPIRETIME":
		st.op, st.near = "near", 1000
	case "EXPIRETIME":
		st.op, st.near = "near", 1
	}
	return st
}

func (g *cmdGen) command() []string {
	k := g.key()
	switch g.r.Intn(46) {
	case 0, 1, 2:
		args := []string{"SET", k, g.value()}
		if g.r.Intn(3) == 0 {
			args = append(args, g.pick("NX", "XX"))
		}
		if g.r.Intn(3) == 0 {
			args = append(args, "GET")
		}
		return append(args, g.setExpiry()...)
	case 3, 4:
		return []string{"GET", k}
	case 5:
		return append([]string{"MGET"}, g.keys(4)...)
	case 6:
		args := []string{g.pick("MSET", "MSETNX")}
		for _, key := range g.keys(3) {
			args = append(args, key, g.value())
		}
		return args
	case 7:
		return []string{"SETNX", k, g.value()}
	case 8:
		return []string{g.pick("SETEX", "PSETEX"), k, g.pick(g.seconds()+"000", "0", "-5"), g.value()}
	case 9:
		return []string{"GETSET", k, g.value()}
	case 10:
		return []string{"GETDEL", k}
	case 11:
		args := []string{"GETEX", k}
		if g.r.Intn(4) == 0 {
			return append(args, "PERSIST")
		}
		e := g.setExpiry()
		if len(e) == 1 { // GETEX has no KEEPTTL
			e = nil
		}
		return append(args, e...)
	case 12:
		return []string{"APPEND", k, g.value()}
	case 13:
		return []string{"STRLEN", k}
	case 14, 15:
		return []string{g.pick("INCR", "DECR"), k}
	case 16, 17:
		return []string{g.pick("INCRBY", "DECRBY"), k, g.integer()}
	case 18:
		return []string{"INCRBYFLOAT", k, g.float()}
	case 19:
		return []string{g.pick("GETRANGE", "SUBSTR"), k, strconv.Itoa(g.r.Intn(20) - 10), strconv.Itoa(g.r.Intn(20) - 10)}
	case 20:
		return []string{"SETRANGE", k, strconv.Itoa(g.r.Intn(12) - 1), g.value()}
	case 21:
		args := []string{"LCS", k, g.key()}
		switch g.r.Intn(4) {
		case 0:
			args = append(args, "LEN")
		case 1:
			args = append(args, "IDX")
		case 2:
			args = append(args, "IDX", "MINMATCHLEN", strconv.Itoa(g.r.Intn(4)), "WITHMATCHLEN")
		}
		return args
	case 22, 23:
		return append([]string{g.pick("DEL", "UNLINK")}, g.keys(3)...)
	case 24, 25:
		return append([]string{"EXISTS"}, g.keys(4)...)
	case 26, 27:
		cmd := g.pick("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT")
		var when string
		switch {
		case g.r.Intn(8) == 0:
			when = g.pick("0", "-1", "-100") // past, for relative and absolute forms: deletes the key
		case cmd == "EXPIRE":
			when = g.seconds()
		case cmd == "PEXPIRE":
			when = g.seconds() + "000"
		case cmd == "EXPIREAT":
			when = strconv.Itoa(farFuture + g.r.Intn(1000))
		default:
			when = strconv.Itoa(farFuture*1000 + g.r.Intn(1000000))
		}
		args := []string{cmd, k, when}
		if g.r.Intn(2) == 0 {
			args = append(args, g.pick("NX", "XX", "GT", "LT"))
		}
		return args
	case 28:
		return []string{"PERSIST", k}
	case 29, 30:
		return []string{g.pick("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"), k}
	case 31:
		return []string{"TYPE", k}
	case 32:
		return []string{g.pick("RENAME", "RENAMENX"), k, g.key()}
	case 33:
		args := []string{"COPY", k, g.key()}
		if g.r.Intn(2) == 0 {
			args = append(args, "DB", strconv.Itoa(g.r.Intn(3)))
		}
		if g.r.Intn(2) == 0 {
			args = append(args, "REPLACE")
		}
		return args
	case 34:
		return []string{"MOVE", k, strconv.Itoa(g.r.Intn(3))}
	case 35:
		return append([]string{"TOUCH"}, g.keys(3)...)
	case 36:
		return []string{"DBSIZE"}
	case 37:
		return []string{"KEYS", g.pick("*", "k*", "?0", "k[0-2]", "n*")}
	case 38:
		return []string{"SELECT", strconv.Itoa(g.r.Intn(3))}
	case 39:
		return []string{"SWAPDB", strconv.Itoa(g.r.Intn(3)), strconv.Itoa(g.r.Intn(3))}
	case 40:
		if g.r.Intn(10) == 0 {
			return []string{"FLUSHDB"}
		}
		return []string{"EXISTS", k}
	case 41:
		// Arity and syntax errors.
		return g.pick2([]string{"GET"}, []string{"SET", k}, []string{"INCRBY", k}, []string{"SET", k, "v", "NX", "XX"},
			[]string{"GETEX", k, "EX"}, []string{"EXPIRE", k, "10", "NX", "XX"}, []string{"NOSUCHCOMMAND", k})
	}
	return []string{g.pick("PING", "ECHO"), g.value()}
}

func (g *cmdGen) pick2(choices ...[]string) []string { return choices[g.r.Intn(len(choices))] }
