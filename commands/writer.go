package commands

// Writer is how a handler answers. resp/ implements it on top of redcon's
// writer and knows the connection's protocol (RESP2 or RESP3): handlers
// write the RESP3 shape and the writer downgrades it for RESP2 clients
// (maps become flat arrays, sets arrays, doubles bulk strings, nulls $-1/*-1).
//
// A Writer only encodes into memory and never blocks or does I/O, and it
// copies the bytes it is given: handlers may write from inside an engine
// callback (View, Update), straight from engine memory, while the engine
// holds a shard lock.
type Writer interface {
	WriteSimple(s string)  // +OK
	WriteError(msg string) // -ERR ... (msg includes the error code prefix)
	WriteInt(n int64)      // :1
	WriteBulk(b []byte)    // $3\r\nfoo
	WriteBulkString(s string)
	WriteNull()                            // RESP3 _ ; RESP2 $-1
	WriteNullArray()                       // RESP3 _ ; RESP2 *-1
	WriteArray(n int)                      // *n, followed by n values
	WriteMap(n int)                        // RESP3 %n (n pairs); RESP2 *2n
	WriteSet(n int)                        // RESP3 ~n; RESP2 *n
	WritePush(n int)                       // RESP3 >n; RESP2 *n
	WriteDouble(f float64)                 // RESP3 ,f; RESP2 bulk string
	WriteBool(b bool)                      // RESP3 #t/#f; RESP2 :1/:0
	WriteVerbatim(format string, s string) // RESP3 =; RESP2 bulk string
	WriteRaw(b []byte)                     // pre-encoded bytes, written as is
}
