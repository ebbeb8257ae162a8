package commands

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestKeyspaceCommands(t *testing.T) {
	const notCompatible = "ERR NX and XX, GT or LT options at the same time are not compatible"
	clock := &stringsTestClock{}
	clock.ms.Store(1_700_000_000_000)
	cases := []struct {
		name  string
		steps []stringsStep
	}{
		{"del exists touch", []stringsStep{
			{"MSET a 1 b 2 c 3", sOK},
			{"EXISTS a a nokey b", sInt(3)},
			{"TOUCH a nokey", sInt(1)},
			{"DEL a a nokey", sInt(1)},
			{"UNLINK b c", sInt(2)},
			{"DEL b", sInt(0)},
			{"EXISTS a b c", sInt(0)},
		}},
		{"expire family", []stringsStep{
			{"SET k v", sOK},
			{"EXPIRE nokey 10", sInt(0)},
			{"EXPIRE k 100 XX", sInt(0)},
			{"EXPIRE k 100 NX", sInt(1)},
			{"EXPIRE k 200 NX", sInt(0)},
			{"EXPIRE k 50 GT", sInt(0)},
			{"EXPIRE k 150 GT", sInt(1)},
			{"TTL k", sInt(150)},
			{"EXPIRE k 160 LT", sInt(0)},
			{"PEXPIRE k 1500 LT", sInt(1)},
			{"PTTL k", sInt(1500)},
			{"EXPIREAT k 1700000100", sInt(1)},
			{"EXPIRETIME k", sInt(1_700_000_100)},
			{"PEXPIREAT k 1700000100500", sInt(1)},
			{"PEXPIRETIME k", sInt(1_700_000_100_500)},
			{"EXPIRETIME k", sInt(1_700_000_101)},
			{"PERSIST k", sInt(1)},
			{"PERSIST k", sInt(0)},
			{"PERSIST nokey", sInt(0)},
			{"TTL k", sInt(-1)},
			{"TTL nokey", sInt(-2)},
			{"PTTL nokey", sInt(-2)},
			{"EXPIRETIME k", sInt(-1)},
			{"EXPIRE k 10 GT", sInt(0)}, // no TTL counts as infinite
			{"EXPIRE k 10 LT", sInt(1)},
			{"EXPIRE k 10 NX XX", sErr(notCompatible)},
			{"EXPIRE k 10 NX GT", sErr(notCompatible)},
			{"EXPIRE k 10 GT LT", sErr("ERR GT and LT options at the same time are not compatible")},
			{"EXPIRE k 10 FOO", sErr("ERR Unsupported option FOO")},
			{"EXPIRE k 10 'a\r\nb'", sErr("ERR Unsupported option a  b")},
			{"EXPIRE k x", sErr(ErrNotInteger)},
			{"EXPIRE k 9223372036854776", sErr("ERR invalid expire time in 'expire' command")},
			{"EXPIRE nokey 9223372036854775", sErr("ERR invalid expire time in 'expire' command")},
			{"PEXPIRE nokey 9223372036854775807", sErr("ERR invalid expire time in 'pexpire' command")},
			{"PEXPIREAT k 9223372036854775807", sInt(1)},
			{"EXPIREAT nokey 9223372036854775807", sErr("ERR invalid expire time in 'expireat' command")},
			{"EXPIRE k 0", sInt(1)}, // a time not in the future deletes
			{"EXISTS k", sInt(0)},
			{"SET k v", sOK},
			{"PEXPIREAT k 1700000000000", sInt(1)},
			{"EXISTS k", sInt(0)},
			{"SET k v", sOK},
			{"EXPIRE k -10 LT", sInt(1)},
			{"EXISTS k", sInt(0)},
		}},
		{"type", []stringsStep{
			{"SET s v", sOK},
			{"TYPE s", "+string\r\n"},
			{"TYPE nokey", "+none\r\n"},
		}},
		{"rename", []stringsStep{
			{"RENAME nokey x", sErr(ErrNoSuchKey)},
			{"RENAME nokey nokey", sErr(ErrNoSuchKey)},
			{"RENAMENX nokey x", sErr(ErrNoSuchKey)},
			{"SET a 1 EX 100", sOK},
			{"RENAME a a", sOK},
			{"RENAMENX a a", sInt(0)},
			{"RENAME a b", sOK},
			{"GET b", sBulk("1")},
			{"TTL b", sInt(100)},
			{"EXISTS a", sInt(0)},
			{"SET c 3", sOK},
			{"RENAMENX b c", sInt(0)},
			{"RENAMENX b d", sInt(1)},
			{"RENAME d c", sOK},
			{"GET c", sBulk("1")},
			{"TTL c", sInt(100)},
		}},
		{"copy move", []stringsStep{
			{"SET a 1 EX 100", sOK},
			{"COPY a a", sErr("ERR source and destination objects are the same")},
			{"COPY a a DB 1", sInt(1)},
			{"COPY a b", sInt(1)},
			{"TTL b", sInt(100)},
			{"COPY a b", sInt(0)},
			{"SET a 2", sOK},
			{"COPY a b REPLACE", sInt(1)},
			{"GET b", sBulk("2")},
			{"TTL b", sInt(-1)},
			{"COPY nokey b", sInt(0)},
			{"COPY a b DB 16", sErr(ErrDBIndex)},
			{"COPY a b DB -1", sErr(ErrDBIndex)},
			{"COPY a b DB x", sErr(ErrNotInteger)},
			{"COPY a b DB 99999999999", sErr("ERR value is out of range, value must between -2147483648 and 2147483647")},
			{"COPY a b DB", sErr(ErrSyntax)},
			{"COPY a b FOO", sErr(ErrSyntax)},
			{"MOVE a 0", sErr("ERR source and destination objects are the same")},
			{"MOVE a 16", sErr(ErrDBIndex)},
			{"MOVE a x", sErr(ErrNotInteger)},
			{"MOVE a 2", sInt(1)},
			{"EXISTS a", sInt(0)},
			{"MOVE a 2", sInt(0)},
			{"SET a 3", sOK},
			{"MOVE a 2", sInt(0)}, // the target has it
			{"COPY a z DB 2", sInt(1)},
			{"COPY a z DB 2", sInt(0)},
		}},
		{"scan errors", []stringsStep{
			{"SCAN x", sErr("ERR invalid cursor")},
			{"SCAN ' 1'", sErr("ERR invalid cursor")},
			{"SCAN 18446744073709551616", sErr("ERR invalid cursor")},
			{"SCAN ''", "*2\r\n" + sBulk("0") + "*0\r\n"},
			{"SCAN -1", "*2\r\n" + sBulk("0") + "*0\r\n"},
			{"SCAN 0 COUNT 0", sErr(ErrSyntax)},
			{"SCAN 0 COUNT x", sErr(ErrNotInteger)},
			{"SCAN 0 MATCH", sErr(ErrSyntax)},
			{"SCAN 0 FOO bar", sErr(ErrSyntax)},
			{"RANDOMKEY", sNull},
			{"SET only 1", sOK},
			{"RANDOMKEY", sBulk("only")},
			{"KEYS *", "*1\r\n" + sBulk("only")},
			{"KEYS o?ly", "*1\r\n" + sBulk("only")},
			{"KEYS x*", "*0\r\n"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			runStringsSteps(t, newStringsTestServer(t, clock), tc.steps)
		})
	}
}

// scanAll runs a full SCAN iteration with extra options and returns the
// keys seen, sorted and without duplicates, and the number of calls.
func scanAll(t *testing.T, ts *stringsTestServer, opts ...string) ([]string, int) {
	t.Helper()
	var keys []string
	cursor := "0"
	calls := 0
	for {
		calls++
		reply := ts.do(append([]string{"SCAN", cursor}, opts...)...)
		next, page := parseScanReply(t, reply)
		keys = append(keys, page...)
		if cursor = next; cursor == "0" {
			break
		}
		if calls > 100000 {
			t.Fatal("SCAN does not end")
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys), calls
}

var scanReplyHead = regexp.MustCompile(`^\*2\r\n\$\d+\r\n(\d+)\r\n\*(\d+)\r\n`)

func parseScanReply(t *testing.T, reply string) (string, []string) {
	t.Helper()
	m := scanReplyHead.FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("bad SCAN reply %q", reply)
	}
	rest := reply[len(m[0]):]
	var keys []string
	for rest != "" {
		var n int
		if _, err := fmt.Sscanf(rest, "$%d\r\n", &n); err != nil {
			t.Fatalf("bad SCAN reply %q", reply)
		}
		rest = rest[strings.Index(rest, "\r\n")+2:]
		keys = append(keys, rest[:n])
		rest = rest[n+2:]
	}
	return m[1], keys
}

func TestKeyspaceScan(t *testing.T) {
	ts := newStringsTestServer(t, nil)
	var want, wantMatch []string
	for i := range 1000 {
		k := fmt.Sprintf("key:%d", i)
		ts.do("SET", k, "v")
		want = append(want, k)
		if strings.HasSuffix(k, "7") {
			wantMatch = append(wantMatch, k)
		}
	}
	slices.Sort(want)
	slices.Sort(wantMatch)
	got, calls := scanAll(t, ts)
	if !slices.Equal(got, want) {
		t.Errorf("SCAN returned %d keys, want %d", len(got), len(want))
	}
	if calls < 50 {
		t.Errorf("SCAN with the default COUNT took %d calls for 1000 keys", calls)
	}
	if got, _ := scanAll(t, ts, "MATCH", "*7", "COUNT", "100"); !slices.Equal(got, wantMatch) {
		t.Errorf("SCAN MATCH *7 = %v, want %v", got, wantMatch)
	}
	if got, _ := scanAll(t, ts, "TYPE", "STRING"); len(got) != 1000 {
		t.Errorf("SCAN TYPE STRING returned %d keys", len(got))
	}
	if got, _ := scanAll(t, ts, "TYPE", "list"); len(got) != 0 {
		t.Errorf("SCAN TYPE list returned %d keys", len(got))
	}
	keys := ts.do("KEYS", "*7")
	if n := strings.Count(keys, "$"); n != len(wantMatch) {
		t.Errorf("KEYS *7 returned %d keys, want %d", n, len(wantMatch))
	}
}
