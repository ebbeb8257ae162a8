// Package resp serves the Redis protocol (RESP2 and RESP3) over TCP: it
// accepts connections, parses requests, runs them through a
// commands.Server and writes the replies. It implements commands.Writer.
//
// # The connection loop
//
// Each connection has one goroutine that owns everything about it (its
// buffers, its commands.Session) and repeats:
//
//	parse every complete request in the read buffer
//	    -> commands.Server.Exec(sess, args, writer) for each, in order
//	    -> replies are appended to the connection's reply buffer
//	send the reply buffer with one write (earlier if it passes 64 KiB)
//	read more bytes (under the idle timeout)
//
// So a pipeline of N commands that arrives in one read is answered with
// one write. QUIT (Exec returns commands.Close) delivers the replies and
// closes.
//
// Sending never blocks the loop. The write is non-blocking, straight from
// the reply buffer; if the socket does not take everything (the client is
// not reading), the rest is queued and a flusher goroutine, started only
// then, writes the queue out while the loop goes on reading and executing.
// This is what Redis does with its output buffers, and it matters: a
// client may write a whole pipeline before reading a reply (redis-py's
// pipeline does), and a server that blocked on its writes would deadlock
// with it as soon as both directions outgrow the socket buffers.
//
// Other goroutines may add to a connection's output too: Session.Push
// (a Pub/Sub publisher delivering a message) queues a complete frame
// behind the replies already sent and starts the flusher if none runs;
// it never touches the socket itself, so a publisher never waits for a
// slow subscriber. Session.Flush lets a handler send the replies written
// so far (SUBSCRIBE's confirmations) before it becomes reachable by
// publishers, so that no message overtakes them.
//
// # Requests
//
// The parser is our own, written against Redis 7's processMultibulkBuffer
// and processInlineBuffer rather than taken from redcon (whose reader
// panics on a bulk length like $9223372036854775807, accepts a different
// inline quoting syntax and copies every request). It accepts:
//
//	*<n>\r\n then n times $<len>\r\n<len bytes>\r\n   multibulk
//	any other line ending in \n (\r\n)                inline, telnet style
//
// with Redis's quirks kept so replies match byte for byte: "*0", "*-1" and
// empty lines are skipped; the two bytes after each number and each bulk
// payload are skipped unchecked; numbers follow string2ll (no '+', no
// leading zeros); a NUL before a header's CR (or an inline LF) leaves the
// request incomplete, because Redis searches with strchr; inline lines are
// split by sdssplitargs's rules ("double quotes" with \n \r \t \b \a \xHH
// escapes, 'single quotes', a closing quote must be followed by a blank).
//
// # Limits
//
// A malformed request gets Redis's error and the connection is closed:
//
//	ERR Protocol error: invalid multibulk length   bad count, or > MaxMultibulk
//	ERR Protocol error: invalid bulk length        bad length, or > ProtoMaxBulkLen
//	ERR Protocol error: expected '$', got 'x'
//	ERR Protocol error: unbalanced quotes in request
//	ERR Protocol error: too big inline request     no LF within 64 KiB
//	ERR Protocol error: too big mbulk count string no CR within 64 KiB
//	ERR Protocol error: too big bulk count string
//	ERR Protocol error: unauthenticated multibulk length  > 10 before AUTH
//	ERR Protocol error: unauthenticated bulk length       > 16384 before AUTH
//
// Lengths are checked before any memory is sized from them. Other limits
// close the connection without a reply, as Redis does: more than
// QueryBufferLimit bytes of unprocessed request; more than
// OutputBufferLimit bytes of replies queued for a client that does not
// read them, or in one reply; no request for Timeout (a client still
// receiving queued replies is not idle); a write of queued replies that
// makes no progress for WriteTimeout (per 1 MiB chunk). A connection over
// MaxClients gets "-ERR max number of clients reached" and is closed
// before a session exists. Reconfigure changes the limits at run time.
//
// # Panics
//
// A panic while serving a connection (in the parser, a handler, the
// writer) is recovered in that connection's goroutine: it is logged with
// its stack, the replies of the commands that completed before it are
// flushed (the half-written reply is dropped), the connection is closed
// and its session unregistered. The process and the other clients go on.
// A panic cannot undo what the handler already did, and a handler that
// panics while holding a lock leaves it held: containment protects the
// process, not the handler's invariants.
//
// # Buffers
//
// The args given to Exec alias the connection's read buffer and are valid
// only during that call: the next request overwrites them (inline
// requests are even unquoted in place). A handler copies what it keeps.
// Each argument's capacity ends at its length, so appending to one never
// overwrites the next. The read buffer starts at 16 KiB, grows (doubling,
// or to the exact size of a large bulk string) to hold one request, and is
// given back once drained. Replies are appended to a per-connection buffer
// that the loop sends between commands; the writer never does I/O itself,
// because a handler may be writing while it holds an engine lock. Bytes
// the socket does not take at once are copied to the output queue, which
// the flusher goroutine owns while it writes (guarded by a mutex).
//
// # Protocol versions
//
// Handlers write RESP3 shapes. The writer reads Session.Proto at every
// call (HELLO switches it mid-pipeline) and for RESP2 writes null as $-1,
// null array as *-1, map as *2n, set and push as *n, double as a bulk
// string, bool as :1/:0, verbatim as a bulk string. Doubles are printed
// as redis-server 7.0 prints them: %.17g, and inf, -inf, nan.
//
// # Concurrency
//
// Server methods are safe for concurrent use. Session.Kill, given to
// commands.Server.NewSession, closes the socket and may be called from
// any goroutine; the connection's goroutine then ends at its next read or
// write. Each connection has one goroutine, plus a flusher goroutine only
// while replies are queued; the connection waits for it before ending. Close closes the listeners and every connection and waits for
// the connection goroutines.
package resp
