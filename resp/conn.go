package resp

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/nebredis/nebredis/commands"
)

const (
	// flushAt: a batch whose replies reach this size is flushed before the
	// next command runs, so a long pipeline does not pile up replies.
	flushAt = 64 * 1024
	// writeBufSize is the reply buffer a connection starts with and goes
	// back to when a big reply made it larger than maxIdleWrite.
	writeBufSize = 4 * 1024
	maxIdleWrite = 64 * 1024
)

// conn is one client connection. Everything but nc.Close (Kill, Server.Close)
// is touched only by the connection's own goroutine.
type conn struct {
	srv  *Server
	nc   net.Conn
	sess *commands.Session
	rd   reader
	w    replyWriter
	out  *output

	readDeadline bool // a read deadline is set and must be cleared if timeout goes to 0
	mark         int  // len(w.buf) before the running command, -1 between commands

	// Filled by the watcher of a waiting handler (beginWait) and read by
	// the loop once the handler has ended it: requests read ahead, and why
	// the connection is finished (nil while it is not).
	ahead []byte
	gone  error
}

func newConn(s *Server, nc net.Conn) *conn {
	return &conn{srv: s, nc: nc, rd: newReader(), w: replyWriter{buf: make([]byte, 0, writeBufSize)}, out: newOutput(nc), mark: -1}
}

// serve runs the connection until the client leaves, breaks the protocol,
// passes a limit, or is killed. A panic anywhere in it (the reader, a
// handler, the writer) is contained here: it is logged with its stack, the
// replies of commands that completed before it are flushed, and only this
// connection is closed.
func (c *conn) serve() {
	defer func() {
		if v := recover(); v != nil {
			c.srv.logger().Error("panic serving client; connection closed",
				"client", c.nc.RemoteAddr().String(), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			c.salvage()
		}
		// Unregister first, as Redis frees a client before closing its
		// socket: a peer that sees the close finds its subscriptions gone.
		if c.sess != nil {
			c.closeSession()
		}
		c.nc.Close()
		c.out.shut()
		c.out.wait() // the flusher, if any, fails fast on the closed socket
		c.srv.forget(c)
		c.srv.wg.Done()
	}()
	c.sess = c.srv.h.NewSession(c.nc.RemoteAddr().String(), c.nc.LocalAddr().String(), c.kill)
	c.w.sess = c.sess
	c.sess.BeginWait = c.beginWait
	c.sess.Push, c.sess.Flush = c.push, c.flushReplies
	if err := c.loop(); err != nil {
		c.srv.logger().Debug("client closed", "client", c.sess.Addr, "err", err)
	}
}

// kill is the Session's Kill: it may be called from any goroutine. Closing
// the socket makes the connection's pending read or write fail, and the
// loop ends.
func (c *conn) kill() { c.nc.Close() }

// closeSession unregisters the session; a panic there must not take the
// process down from inside a deferred call.
func (c *conn) closeSession() {
	defer func() {
		if v := recover(); v != nil {
			c.srv.logger().Error("panic in CloseSession", "panic", fmt.Sprint(v))
		}
	}()
	c.srv.h.CloseSession(c.sess)
}

// salvage delivers the replies that were complete when a panic struck, so
// a pipelining client sees the answers to the commands before the bad one.
func (c *conn) salvage() {
	defer func() { recover() }()
	if c.w.overflow {
		return
	}
	if c.mark >= 0 && c.mark <= len(c.w.buf) {
		c.w.buf = c.w.buf[:c.mark] // drop the half-written reply
	}
	o := c.srv.opts.Load()
	if c.out.send(c.w.buf, o.WriteTimeout, o.OutputBufferLimit) == nil {
		c.out.wait()
	}
}

// loop is the connection's read-execute-write cycle:
//
//  1. parse every complete request in the read buffer and Exec it in order,
//     appending replies to the reply buffer;
//  2. send the replies with one write (pipelining: one write per batch,
//     and one per 64 KiB of replies within a batch); output never blocks
//     the loop: what the socket does not take is queued for a flusher;
//  3. read more bytes, growing the buffer if a request needs it.
//
// It returns why the connection ends (nil for QUIT or the client leaving).
func (c *conn) loop() error {
	for {
		o := c.srv.opts.Load()
		c.rd.maxBulk = o.ProtoMaxBulkLen
		c.rd.maxMultibulk = int64(o.MaxMultibulk)
		c.w.limit = int(min(o.OutputBufferLimit, int64(maxInt)))
		// afterIO: the next command is the first since a socket read or
		// write, so it must take a fresh start time (see ExecNext).
		afterIO := true
		for {
			args, ok, err := c.rd.next(c.sess.Authenticated)
			if err != nil {
				var pe *protocolError
				if errors.As(err, &pe) {
					c.w.WriteError(pe.reply)
				}
				c.finish(o)
				return err
			}
			if !ok {
				break
			}
			if len(args) == 0 {
				continue // empty line, *0 or *-1
			}
			c.mark = len(c.w.buf)
			var act commands.Action
			if afterIO {
				act = c.srv.h.Exec(c.sess, args, &c.w)
				afterIO = false
			} else {
				act = c.srv.h.ExecNext(c.sess, args, &c.w)
			}
			if c.gone != nil {
				// The peer left (or was killed) while the command waited.
				if errors.Is(c.gone, io.EOF) {
					return nil
				}
				return c.gone
			}
			if len(c.ahead) > 0 {
				c.feedAhead()
			}
			if c.w.overflow || len(c.w.buf) > c.w.limit {
				// Deliver the replies before the oversized one, then go.
				c.w.buf, c.w.overflow = c.w.buf[:c.mark], false
				c.finish(o)
				return fmt.Errorf("reply over the output buffer limit (%d bytes)", c.w.limit)
			}
			c.mark = -1
			if act == commands.Close {
				return c.finish(o)
			}
			if len(c.w.buf) >= flushAt {
				if err := c.send(o); err != nil {
					return err
				}
				afterIO = true
			}
		}
		if err := c.send(o); err != nil {
			return err
		}
		if err := c.read(o); err != nil {
			if errors.Is(err, io.EOF) {
				// The client is done sending; deliver what it is owed.
				return c.out.wait()
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				if c.out.queued() > 0 || c.sess.InPubSub() {
					continue // still receiving replies, or subscribed: not idle
				}
				return errors.New("idle timeout")
			}
			return err
		}
	}
}

const maxInt = int(^uint(0) >> 1)

// read waits for more request bytes, under the idle timeout.
func (c *conn) read(o *Options) error {
	if o.Timeout > 0 {
		c.nc.SetReadDeadline(time.Now().Add(o.Timeout))
		c.readDeadline = true
	} else if c.readDeadline {
		c.nc.SetReadDeadline(time.Time{})
		c.readDeadline = false
	}
	return c.rd.fill(c.nc, o.QueryBufferLimit)
}

// send hands the reply buffer to the output and empties it.
func (c *conn) send(o *Options) error {
	err := c.out.send(c.w.buf, o.WriteTimeout, o.OutputBufferLimit)
	c.w.buf = c.w.buf[:0]
	if cap(c.w.buf) > maxIdleWrite {
		c.w.buf = make([]byte, 0, writeBufSize)
	}
	return err
}

// finish sends the reply buffer and waits until everything is written:
// the last replies before the connection is closed on purpose.
func (c *conn) finish(o *Options) error {
	if err := c.send(o); err != nil {
		return err
	}
	return c.out.wait()
}

// beginWait is the Session's BeginWait, called by a handler that is about
// to wait for other clients (BLPOP on empty lists). It sends the replies
// of the commands before it in the batch, as Redis does while a client is
// blocked, and starts a watcher goroutine that reads the socket until end
// is called, so that a peer closing the connection, or a Kill, is noticed:
// done is closed then. What the watcher reads is kept and parsed after
// the command (Redis, too, runs what a blocked client sent once it is
// unblocked), within the query buffer limit. The idle timeout does not
// apply while waiting, as Redis does not time out blocked clients.
func (c *conn) beginWait() (<-chan struct{}, func()) {
	o := c.srv.opts.Load()
	done := make(chan struct{})
	if err := c.send(o); err != nil {
		c.gone = err
		close(done)
		return done, func() {}
	}
	if c.mark > 0 {
		c.mark = 0 // the running command's reply starts the emptied buffer
	}
	c.nc.SetReadDeadline(time.Time{})
	c.readDeadline = false
	stopped := make(chan struct{})
	var stopping atomic.Bool
	go func() {
		defer close(stopped)
		buf := make([]byte, 4096)
		for {
			n, err := c.nc.Read(buf)
			c.ahead = append(c.ahead, buf[:n]...)
			switch {
			case err != nil && stopping.Load() && errors.Is(err, os.ErrDeadlineExceeded):
				return // end interrupted the read
			case err != nil:
				c.gone = err
			case int64(len(c.ahead)) > o.QueryBufferLimit:
				c.gone = errQueryBufferReached
			default:
				continue
			}
			close(done)
			return
		}
	}()
	end := func() {
		stopping.Store(true)
		c.nc.SetReadDeadline(time.Unix(1, 0)) // in the past: a pending Read returns at once
		<-stopped
		c.nc.SetReadDeadline(time.Time{})
	}
	return done, end
}

// push is the Session's Push: another goroutine (a publisher) hands this
// connection a complete frame. It is queued behind the replies already
// sent and written by the flusher; push never blocks on the socket.
func (c *conn) push(frame []byte) int {
	return c.out.push(frame, c.srv.opts.Load().WriteTimeout)
}

// flushReplies is the Session's Flush: the replies written so far, the
// running command's included, go to the output now, so that frames pushed
// from now on follow them (a SUBSCRIBE confirmation precedes the first
// message). The command must have written its whole reply.
func (c *conn) flushReplies() {
	if c.gone != nil || c.w.overflow || len(c.w.buf) > c.w.limit {
		return // the loop closes the connection after the command
	}
	if err := c.send(c.srv.opts.Load()); err != nil {
		c.gone = err
		return
	}
	if c.mark > 0 {
		c.mark = 0
	}
}

// feedAhead appends the bytes the watcher read to the reader's buffer,
// after the requests still unparsed there.
func (c *conn) feedAhead() {
	rd := &c.rd
	if len(rd.buf)-rd.w < len(c.ahead) {
		rd.compact()
		if len(rd.buf)-rd.w < len(c.ahead) {
			nb := make([]byte, max(2*len(rd.buf), rd.w+len(c.ahead)))
			copy(nb, rd.buf[:rd.w])
			rd.buf = nb
		}
	}
	rd.w += copy(rd.buf[rd.w:], c.ahead)
	c.ahead = nil
}
