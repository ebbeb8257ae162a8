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
type output struct {
	nc       net.Conn
	raw      syscall.RawConn // nil: not a socket we can write to directly; always queue
	rawWrite func(fd uintptr) bool
	rawBuf   []byte // arguments and results of rawWrite, used by the loop only
	rawN     int
	rawErr   error

	mu    sync.Mutex // guards queue, spare, busy, done, err
	queue []byte     // bytes handed to the flusher, not yet written
	spare []byte     // the flusher's previous buffer, reused for queue
	busy  bool       // a flusher goroutine is running
	done  chan struct{}
	err   error // a write failed: the connection is finished
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
	o.mu.Unlock()
	// Not busy, and only this goroutine starts a flusher: write directly.
	written := 0
	if o.raw != nil {
		o.rawBuf = b
		err := o.raw.Write(o.rawWrite)
		o.rawBuf = nil
		if err == nil {
			err = o.rawErr
		}
		if err != nil {
			return err
		}
		written = o.rawN
		if written == len(b) {
			return nil
		}
	}
	o.mu.Lock()
	o.queue = append(o.queue[:0], b[written:]...)
	o.busy = true
	o.done = make(chan struct{})
	done := o.done
	o.mu.Unlock()
	go o.flush(timeout, done)
	return nil
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
		o.mu.Unlock()

		err := o.writeAll(buf, timeout)
		o.mu.Lock()
		if err != nil {
			o.err, o.busy, o.queue = err, false, nil
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
