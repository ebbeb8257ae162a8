package resp

import (
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// writeChunk is the most one blocking Write sends; the write timeout
// applies to each chunk, so it bounds a stall, not a big reply's transfer.
const writeChunk = 1 << 20

var errOutputLimit = errors.New("resp: client output buffer limit reached")

// output sends a connection's replies without ever blocking the
// connection loop, which is what lets a client write a long pipeline
// before it reads any reply (redis-py's pipeline does): if the loop
// blocked on a write while the client blocked on its own write, neither
// would read and both would wait for ever. Redis avoids this with
// non-blocking writes and an output buffer, and so does output:
//
//   - fast path: no write is queued, so the bytes go out with one
//     non-blocking write, straight from the caller's buffer;
//   - slow path: what the kernel did not take is queued and a flusher
//     goroutine, started for the occasion, writes the queue out with
//     blocking writes under the write timeout, then exits. Later sends
//     append to the queue (bounded by the output limit) until it is empty.
//
// The loop keeps reading and executing meanwhile. Replies stay in order:
// a direct write happens only when nothing is queued.
//
// Other goroutines may push frames (Pub/Sub messages) at any time: push
// appends to the queue and starts the flusher if none runs. While the
// loop writes directly (direct), pushes only queue, and the loop puts
// what the socket did not take in front of them when it is done, so a
// pushed frame never lands inside a reply.
type output struct {
	nc       net.Conn
	raw      syscall.RawConn // nil: not a socket we can write to directly; always queue
	rawWrite func(fd uintptr) bool
	rawBuf   []byte // arguments and results of rawWrite, used by the loop only
	rawN     int
	rawErr   error

	mu       sync.Mutex // guards queue, spare, busy, direct, inflight, done, err
	queue    []byte     // bytes handed to the flusher, not yet written
	spare    []byte     // the flusher's previous buffer, reused for queue
	busy     bool       // a flusher goroutine is running
	direct   bool       // the loop is writing from its own buffer (send's fast path)
	inflight int        // bytes the flusher took from queue and is writing
	done     chan struct{}
	err      error // a write failed, or the connection ended: it is finished
}

func newOutput(nc net.Conn) *output {
	o := &output{nc: nc}
	if sc, ok := nc.(syscall.Conn); ok && canWriteDirect {
		if raw, err := sc.SyscallConn(); err == nil {
			o.raw = raw
			o.rawWrite = func(fd uintptr) bool {
				o.rawN, o.rawErr = writeNonBlocking(fd, o.rawBuf)
				return true // never wait for writability: that is the flusher's job
			}
		}
	}
	return o
}

// send delivers b or queues it; b may be reused when send returns.
// timeout is the write timeout for the flusher, limit the most bytes the
// queue may hold (errOutputLimit past it).
func (o *output) send(b []byte, timeout time.Duration, limit int64) error {
	if len(b) == 0 {
		return nil
	}
	o.mu.Lock()
	if o.err != nil {
		err := o.err
		o.mu.Unlock()
		return err
	}
	if o.busy {
		o.queue = append(o.queue, b...)
		n := len(o.queue)
		o.mu.Unlock()
		if int64(n) > limit {
			return errOutputLimit
		}
		return nil
	}
	// Not busy: write directly. Pushes meanwhile only queue (direct).
	o.direct = true
	o.mu.Unlock()
	written := 0
	if o.raw != nil {
		o.rawBuf = b
		err := o.raw.Write(o.rawWrite)
		o.rawBuf = nil
		if err == nil {
			err = o.rawErr
		}
		if err != nil {
			o.mu.Lock()
			o.direct = false
			o.mu.Unlock()
			return err
		}
		written = o.rawN
	}
	o.mu.Lock()
	o.direct = false
	rest := b[written:]
	switch {
	case len(rest) == 0 && len(o.queue) == 0:
		o.mu.Unlock()
		return nil
	case len(o.queue) == 0:
		o.queue = append(o.queue, rest...)
	case len(rest) > 0:
		// Frames pushed during the write go after the rest of b.
		q := make([]byte, 0, len(rest)+len(o.queue))
		o.queue = append(append(q, rest...), o.queue...)
	}
	o.startFlusherLocked(timeout)
	o.mu.Unlock()
	return nil
}

// startFlusherLocked starts the flusher goroutine for the queue.
func (o *output) startFlusherLocked(timeout time.Duration) {
	o.busy = true
	o.done = make(chan struct{})
	go o.flush(timeout, o.done)
}

// push queues frame (a complete reply) from any goroutine and starts the
// flusher if none runs; it never writes to the socket itself. It returns
// the bytes now waiting to be written (the queue and what the flusher is
// writing), or -1 when the connection is finished. frame may be reused
// when push returns.
func (o *output) push(frame []byte, timeout time.Duration) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return -1
	}
	o.queue = append(o.queue, frame...)
	if !o.busy && !o.direct {
		o.startFlusherLocked(timeout)
	}
	return len(o.queue) + o.inflight
}

// shut refuses further pushes: the connection is ending.
func (o *output) shut() {
	o.mu.Lock()
	if o.err == nil {
		o.err = net.ErrClosed
	}
	o.mu.Unlock()
}

// flush is the flusher goroutine: it writes the queue until it is empty.
func (o *output) flush(timeout time.Duration, done chan struct{}) {
	defer close(done)
	for {
		o.mu.Lock()
		if len(o.queue) == 0 {
			o.busy = false
			o.mu.Unlock()
			return
		}
		buf := o.queue
		o.queue = o.spare[:0]
		o.spare = nil
		o.inflight = len(buf)
		o.mu.Unlock()

		err := o.writeAll(buf, timeout)
		o.mu.Lock()
		o.inflight = 0
		if err != nil {
			if o.err == nil {
				o.err = err
			}
			o.busy, o.queue = false, nil
			o.mu.Unlock()
			o.nc.Close() // the loop's next read fails and the connection ends
			return
		}
		if cap(buf) <= writeChunk {
			o.spare = buf[:0]
		}
		o.mu.Unlock()
	}
}

// writeAll writes buf with blocking writes, one deadline per chunk.
func (o *output) writeAll(buf []byte, timeout time.Duration) error {
	for len(buf) > 0 {
		chunk := buf[:min(len(buf), writeChunk)]
		if timeout > 0 {
			o.nc.SetWriteDeadline(time.Now().Add(timeout))
		}
		n, err := o.nc.Write(chunk)
		if err != nil {
			return err
		}
		buf = buf[n:]
	}
	if timeout > 0 {
		// Direct writes check the deadline too: clear it so that it cannot
		// expire under a later one.
		o.nc.SetWriteDeadline(time.Time{})
	}
	return nil
}

// wait blocks until the flusher has written everything (or failed) and
// returns the write error, if any.
func (o *output) wait() error {
	o.mu.Lock()
	busy, done := o.busy, o.done
	o.mu.Unlock()
	if busy {
		<-done
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// queued is how many bytes wait for the flusher.
func (o *output) queued() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.queue)
}
