//go:build unix

package resp

import "syscall"

// canWriteDirect: on Unix a socket's descriptor can be written without
// blocking (Go keeps it in non-blocking mode).
const canWriteDirect = true

// writeNonBlocking writes what the socket takes right now; a full socket
// buffer (EAGAIN) is 0 bytes written, not an error.
func writeNonBlocking(fd uintptr, b []byte) (int, error) {
	for {
		n, err := syscall.Write(int(fd), b)
		switch err {
		case nil:
			return n, nil
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return 0, nil
		}
		return 0, err
	}
}
