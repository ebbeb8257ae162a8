package commands

import (
	"bytes"
	"crypto/subtle"

	"github.com/nebredis/nebredis/internal/redisnum"
)

// Connection-family flags: these commands run in any state, as in Redis.
const connFlags = FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagNoAuth | FlagAllowBusy

// RegisterConnection adds PING, ECHO, QUIT, SELECT, AUTH, HELLO and RESET.
func RegisterConnection(t *Table) {
	t.Add(&Command{Name: "ping", Arity: -1, Flags: FlagFast, Group: "connection", Since: "1.0.0",
		Categories: []string{"connection"}, Summary: "Ping the server", Complexity: "O(1)",
		Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
		Args: []ArgDoc{{Name: "message", Type: "string", Optional: true}},
		Handler: func(c *Ctx) {
			if pubsubPing(c) { // RESP2 in Pub/Sub mode
				return
			}
			switch len(c.Args) {
			case 1:
				c.W.WriteSimple("PONG")
			case 2:
				c.W.WriteBulk(c.Args[1])
			default:
				c.W.WriteError(WrongArgs("ping"))
			}
		}})
	t.Add(&Command{Name: "echo", Arity: 2, Flags: FlagLoading | FlagStale | FlagFast, Group: "connection",
		Since: "1.0.0", Categories: []string{"connection"}, Summary: "Echo the given string", Complexity: "O(1)",
		Args:    []ArgDoc{{Name: "message", Type: "string"}},
		Handler: func(c *Ctx) { c.W.WriteBulk(c.Args[1]) }})
	t.Add(&Command{Name: "quit", Arity: -1, Flags: connFlags, Group: "connection", Since: "1.0.0",
		Categories: []string{"connection"}, Summary: "Close the connection", Complexity: "O(1)",
		Handler: func(c *Ctx) { c.W.WriteSimple("OK"); c.Action = Close }})
	t.Add(&Command{Name: "select", Arity: 2, Flags: FlagLoading | FlagStale | FlagFast, Group: "connection",
		Since: "1.0.0", Categories: []string{"connection"},
		Summary: "Change the selected database for the current connection", Complexity: "O(1)",
		Args:    []ArgDoc{{Name: "index", Type: "integer"}},
		Handler: selectCommand})
	t.Add(&Command{Name: "auth", Arity: -2, Flags: connFlags, Group: "connection", Since: "1.0.0",
		Categories: []string{"connection"}, Summary: "Authenticate to the server",
		Complexity: "O(N) where N is the number of passwords defined for the user",
		History:    [][2]string{{"6.0.0", "Added ACL style (username and password)."}},
		Args: []ArgDoc{{Name: "username", Type: "string", Since: "6.0.0", Optional: true},
			{Name: "password", Type: "string"}},
		Redact:  func(args [][]byte) [][]byte { return redactFrom(args, 1, len(args)) },
		Handler: authCommand})
	t.Add(&Command{Name: "hello", Arity: -1, Flags: connFlags, Group: "connection", Since: "6.0.0",
		Categories: []string{"connection"}, Summary: "Handshake with Redis", Complexity: "O(1)",
		History: [][2]string{{"6.2.0", "`protover` made optional; when called without arguments the command reports the current connection's context."}},
		Args: []ArgDoc{{Name: "arguments", Type: "block", Optional: true, Args: []ArgDoc{
			{Name: "protover", Type: "integer"},
			{Name: "username_password", Type: "block", Token: "AUTH", Optional: true, Args: []ArgDoc{
				{Name: "username", Type: "string"}, {Name: "password", Type: "string"}}},
			{Name: "clientname", Type: "string", Token: "SETNAME", Optional: true},
		}}},
		Redact:  redactHelloAuth,
		Handler: helloCommand})
	t.Add(&Command{Name: "reset", Arity: 1, Flags: connFlags, Group: "connection", Since: "6.2.0",
		Categories: []string{"connection"}, Summary: "Reset the connection", Complexity: "O(1)",
		Handler: resetCommand})
}

func selectCommand(c *Ctx) {
	db, ok := redisnum.ParseInt(c.Args[1])
	if !ok {
		c.W.WriteError(ErrNotInteger)
		return
	}
	if db < 0 || db >= int64(c.Srv.databases()) {
		c.W.WriteError(ErrDBIndex)
		return
	}
	c.Sess.SetDB(int(db))
	c.W.WriteSimple("OK")
}

// databases is the number of logical databases.
func (s *Server) databases() int {
	if s.Engine != nil {
		return s.Engine.Databases()
	}
	return s.Config().Databases
}

const errAuthNoPassword = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"

func authCommand(c *Ctx) {
	var user, pass []byte
	switch len(c.Args) {
	case 2:
		if !c.Srv.authRequired.Load() {
			c.W.WriteError(errAuthNoPassword)
			return
		}
		user, pass = []byte("default"), c.Args[1]
	case 3:
		user, pass = c.Args[1], c.Args[2]
	default:
		c.W.WriteError(ErrSyntax)
		return
	}
	if !c.Srv.checkPassword(user, pass) {
		c.W.WriteError(ErrInvalidPass)
		return
	}
	c.Sess.SetAuthenticated(true)
	c.W.WriteSimple("OK")
}

// checkPassword is the default user's password check: without requirepass
// the user has "nopass" and any password is accepted, as in Redis. There
// are no other users.
func (s *Server) checkPassword(user, pass []byte) bool {
	if string(user) != "default" {
		return false
	}
	want := s.Config().RequirePass
	if want == "" {
		return true
	}
	return subtle.ConstantTimeCompare(pass, []byte(want)) == 1
}

const errHelloNoAuth = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"

func helloCommand(c *Ctx) {
	proto := int64(0)
	next := 1
	if len(c.Args) >= 2 {
		v, ok := redisnum.ParseInt(c.Args[1])
		if !ok {
			c.W.WriteError("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.W.WriteError("NOPROTO unsupported protocol version")
			return
		}
		proto, next = v, 2
	}
	var user, pass, name []byte
	for j := next; j < len(c.Args); j++ {
		more := len(c.Args) - 1 - j
		opt := c.Args[j]
		switch {
		case bytes.EqualFold(opt, []byte("auth")) && more >= 2:
			user, pass = c.Args[j+1], c.Args[j+2]
			j += 2
		case bytes.EqualFold(opt, []byte("setname")) && more >= 1:
			name = c.Args[j+1]
			j++
		default:
			c.W.WriteError(sanitizeError("ERR Syntax error in HELLO option '" + string(truncate(opt, 1<<20)) + "'"))
			return
		}
	}
	if user != nil {
		if !c.Srv.checkPassword(user, pass) {
			c.W.WriteError(ErrInvalidPass)
			return
		}
		c.Sess.SetAuthenticated(true)
	}
	if !c.Sess.Authenticated && c.Srv.authRequired.Load() {
		c.W.WriteError(errHelloNoAuth)
		return
	}
	if name != nil {
		if !validClientName(name) {
			c.W.WriteError(errClientName)
			return
		}
		c.Sess.SetName(string(name))
	}
	if proto != 0 {
		c.Sess.SetProto(int(proto))
	}
	c.W.WriteMap(7)
	c.W.WriteBulkString("server")
	c.W.WriteBulkString("redis")
	c.W.WriteBulkString("version")
	c.W.WriteBulkString(Version)
	c.W.WriteBulkString("proto")
	c.W.WriteInt(int64(c.Sess.Proto))
	c.W.WriteBulkString("id")
	c.W.WriteInt(c.Sess.ID)
	c.W.WriteBulkString("mode")
	c.W.WriteBulkString("standalone")
	c.W.WriteBulkString("role")
	c.W.WriteBulkString("master")
	c.W.WriteBulkString("modules")
	c.W.WriteArray(0)
}

func resetCommand(c *Ctx) {
	for _, fn := range c.Srv.resetHooks {
		fn(c.Sess)
	}
	c.Sess.SetDB(0)
	c.Sess.SetProto(2)
	c.Sess.SetName("")
	c.Sess.SetNoEvict(false)
	c.Sess.SetAuthenticated(!c.Srv.authRequired.Load())
	c.W.WriteSimple("RESET")
}

var redacted = []byte("(redacted)")

// redactFrom replaces args[from:to] for SLOWLOG.
func redactFrom(args [][]byte, from, to int) [][]byte {
	for i := from; i < to && i < len(args); i++ {
		args[i] = redacted
	}
	return args
}

// redactHelloAuth hides HELLO's AUTH username and password.
func redactHelloAuth(args [][]byte) [][]byte {
	for j := 2; j+2 < len(args); j++ {
		if bytes.EqualFold(args[j], []byte("auth")) {
			redactFrom(args, j+1, j+3)
			j += 2
		}
	}
	return args
}
