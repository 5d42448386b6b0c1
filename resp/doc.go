// Package resp speaks the Redis serialization protocol, RESP2 and RESP3.
//
// It owns three things and knows nothing of sockets or commands:
//
//   - CommandReader, the server side: an incremental parser of requests in
//     both forms Redis accepts (multibulk "*N\r\n$L\r\n..." and inline
//     "SET a b\r\n" as telnet and redis-cli send them), with Redis's limits and
//     its exact protocol error texts.
//   - Writer, an appending encoder of replies that knows the client's protocol
//     version, so a map is a '%' in RESP3 and a flat array in RESP2.
//   - ReplyReader and Value, the client side: an incremental parser of any
//     RESP2 or RESP3 reply, used by replicas talking to their master and by
//     test and simulated clients.
//
// Buffers: CommandReader returns arguments that alias its internal buffer;
// they stay valid until the next call to Feed or Reset. Writer owns its buffer
// and hands it out through Bytes; the caller must not keep it past Reset.
package resp
