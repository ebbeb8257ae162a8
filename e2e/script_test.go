package e2e

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// A script is a testdata/*.txt scenario file: one command per line, quoted
// like redis-cli input, sent to both servers. Blank lines and lines starting
// with # are ignored. Lines starting with ! are harness directives:
//
//	!config NAME VALUE   start this file's servers with a redis.conf directive
//	                     (only before the first command; may repeat)
//	!conn NAME           send the following commands on connection NAME
//	                     (opened on first use; the first is "main")
//	!sort CMD...         sort the reply's elements before comparing
//	                     (KEYS, and anything whose order Redis leaves open)
//	!scan CMD...         follow the cursor of a SCAN/HSCAN/SSCAN/ZSCAN until
//	                     it is 0 and compare the sorted set of elements
//	!type CMD...         compare only the reply's type byte
//	!shape CMD...        compare types and element counts, not values (TIME)
//	!near N CMD...       integer replies may differ by up to N (PTTL)
//	!mask F[,F] CMD...   compare a map reply (or a RESP2 flat field/value
//	                     array) with the values of fields F hidden (HELLO's id)
//	!requires CMD        skip the file when nebredis does not know CMD
//	                     (only before the first command)
//	!raw "BYTES"         send bytes as they are (inline commands) and
//	                     compare one reply
//	!closed              both servers must have closed the connection
//	!recv                read one more reply on this connection and compare
//	                     (a Pub/Sub message, SUBSCRIBE's later confirmations)
//	!sleep DURATION      wait, for expiry scenarios (keep it short)
type script struct {
	file     string
	config   []directive
	requires []string
	steps    []step
}

// step is one line of a script.
type step struct {
	line int
	text string   // the line as written, for messages
	op   string   // "", "conn", "sort", "scan", "type", "shape", "near", "raw", "closed", "sleep", "recv"
	args []string // the command, or the directive's operand
	near int64
	mask []string
	wait time.Duration
}

func loadScript(path string) (*script, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := &script{file: path}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		st, err := parseStep(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		st.line = n
		if st.op == "config" || st.op == "requires" {
			if len(s.steps) > 0 {
				return nil, fmt.Errorf("%s:%d: !%s after the first command", path, n, st.op)
			}
			if st.op == "config" {
				s.config = append(s.config, directive{st.args[0], st.args[1]})
			} else {
				s.requires = append(s.requires, st.args[0])
			}
			continue
		}
		s.steps = append(s.steps, st)
	}
	return s, sc.Err()
}

func parseStep(text string) (step, error) {
	st := step{text: text}
	words, err := splitArgs(text)
	if err != nil {
		return st, err
	}
	if !strings.HasPrefix(words[0], "!") {
		st.args = words
		return st, nil
	}
	st.op, st.args = words[0][1:], words[1:]
	need := func(min, max int) error {
		if len(st.args) < min || (max >= 0 && len(st.args) > max) {
			return fmt.Errorf("!%s: wrong number of operands", st.op)
		}
		return nil
	}
	switch st.op {
	case "config":
		return st, need(2, 2)
	case "conn", "raw", "requires":
		return st, need(1, 1)
	case "closed", "recv":
		return st, need(0, 0)
	case "sort", "scan", "type", "shape":
		return st, need(1, -1)
	case "near":
		if err := need(2, -1); err != nil {
			return st, err
		}
		st.near, err = strconv.ParseInt(st.args[0], 10, 64)
		st.args = st.args[1:]
		return st, err
	case "mask":
		if err := need(2, -1); err != nil {
			return st, err
		}
		st.mask = strings.Split(st.args[0], ",")
		st.args = st.args[1:]
		return st, nil
	case "sleep":
		if err := need(1, 1); err != nil {
			return st, err
		}
		st.wait, err = time.ParseDuration(st.args[0])
		return st, err
	}
	return st, fmt.Errorf("unknown directive !%s", st.op)
}

var errUnbalancedQuotes = errors.New("unbalanced quotes")

// splitArgs splits a line the way redis-cli does: words separated by blanks;
// "double quotes" with \n \r \t \b \a \\ \" and \xHH escapes; 'single
// quotes' with only \' escaped. A closing quote must end the word.
func splitArgs(line string) ([]string, error) {
	var out []string
	i := 0
	for {
		for i < len(line) && isBlank(line[i]) {
			i++
		}
		if i == len(line) {
			return out, nil
		}
		var w strings.Builder
		inDouble, inSingle := false, false
		done := false
		for !done {
			if i == len(line) {
				if inDouble || inSingle {
					return nil, errUnbalancedQuotes
				}
				break
			}
			c := line[i]
			switch {
			case inDouble:
				switch {
				case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					b, _ := strconv.ParseUint(line[i+2:i+4], 16, 8)
					w.WriteByte(byte(b))
					i += 3
				case c == '\\' && i+1 < len(line):
					i++
					switch line[i] {
					case 'n':
						w.WriteByte('\n')
					case 'r':
						w.WriteByte('\r')
					case 't':
						w.WriteByte('\t')
					case 'b':
						w.WriteByte('\b')
					case 'a':
						w.WriteByte('\a')
					default:
						w.WriteByte(line[i])
					}
				case c == '"':
					if i+1 < len(line) && !isBlank(line[i+1]) {
						return nil, errUnbalancedQuotes
					}
					done = true
				default:
					w.WriteByte(c)
				}
			case inSingle:
				switch {
				case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					w.WriteByte('\'')
				case c == '\'':
					if i+1 < len(line) && !isBlank(line[i+1]) {
						return nil, errUnbalancedQuotes
					}
					done = true
				default:
					w.WriteByte(c)
				}
			default:
				switch {
				case isBlank(c):
					done = true
				case c == '"' && w.Len() == 0:
					inDouble = true
				case c == '\'' && w.Len() == 0:
					inSingle = true
				default:
					w.WriteByte(c)
				}
			}
			i++
		}
		out = append(out, w.String())
	}
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}
