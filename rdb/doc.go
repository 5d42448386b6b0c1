// Package rdb reads and writes Redis's RDB format: snapshot files (SAVE,
// BGSAVE, loading at start, the payload of a replication full sync) and DUMP
// payloads (DUMP, RESTORE). It is a pure library: it knows nothing of the
// server, the network, clocks or files beyond the io.Reader and io.Writer it
// is given, starts no goroutine and keeps no global state.
//
// # What it reads and writes
//
// The Decoder reads RDB versions 1 to 12: what Redis 2.0 to 7.4 and Valkey 7
// and 8 write (Valkey 8 writes "REDIS0011"; the "VALKEY" magic of Valkey 9 is
// recognised and refused with ErrUnsupported). It knows every value type of
// those versions: strings (plain, int-encoded, LZF), linked lists, ziplists
// and both quicklist generations, hashtable sets, intsets and listpack sets,
// sorted sets with text or binary scores, ziplists and listpacks, hashes
// from zipmaps to listpacks, Redis 7.4's hashes with field expire times
// (TypeHashMetadata, TypeHashListpackEx and their release-candidate forms,
// decoded into HashField.Expire), and the three stream generations with
// their consumer groups, pending entries and consumers. Module values are
// refused (ErrUnsupported, naming the type byte and the module type).
//
// The Encoder writes version 10, what Redis 7.0 writes ("REDIS0010"), in the
// encodings Redis 7.0 would have in memory for a freshly built value under
// the thresholds of EncoderOptions: int-encoded and LZF strings as
// rdbSaveRawString chooses them, lists as QUICKLIST_2 with listpack nodes
// split as quicklistPushTail splits them (list-max-listpack-size), intsets
// or hashtable sets, listpack or skiplist sorted sets, listpack or hashtable
// hashes, STREAM_LISTPACKS_2 streams with nodes filled as XADD fills them
// (stream-node-max-bytes, stream-node-max-entries). With rdbcompression off,
// decoding a file Redis 7.0 SAVEd and encoding it again gives the same bytes
// (a test proves it against a real redis-server); with compression on only
// the LZF streams differ, since the compressor is this package's own.
//
// # Reading
//
// A Decoder pulls records from an io.Reader, one per call to Next:
//
//	d := rdb.NewDecoder(r, rdb.DecoderOptions{})
//	for {
//		rec, err := d.Next()
//		if err == io.EOF {
//			break // the checksum has been verified
//		}
//		if err != nil {
//			return err // *rdb.Error: offset, key, cause
//		}
//		switch rec.Kind {
//		case rdb.RecordAux:      // rec.Key = name, rec.Aux = value
//		case rdb.RecordSelectDB: // rec.DB
//		case rdb.RecordResizeDB: // rec.DBSize, rec.ExpiresSize: size hints
//		case rdb.RecordKey:      // rec.DB, rec.Key, rec.KeyMeta, rec.Type, rec.Value
//		}
//	}
//
// Values come decoded into plain Go types: String, List, Set, ZSet, Hash
// and *Stream (and, with DecoderOptions.ListNodes, ListNodes: a QUICKLIST_2
// list kept as its validated nodes, for a consumer that stores lists as
// quicklists). Their byte slices belong to the caller. Record.Type says how
// the value was encoded on disk (Type.Encoding gives the OBJECT ENCODING
// Redis would start from). KeyMeta carries the absolute expire time in
// milliseconds (EXPIRETIME in seconds is converted) and the LRU idle time or
// LFU counter when the file has them. AUX fields are passed through whatever
// their name. Function libraries are skipped with a warning unless
// DecoderOptions.Functions asks for them; module auxiliary data and cluster
// slot information are skipped (with a warning for the former). Empty
// collections are skipped with a warning, as Redis's loader does, or
// refused with RejectEmptyKeys.
//
// The Decoder validates everything as Redis's deep sanitization does and
// more: structure of every embedded encoding, counts, duplicates (unless
// NoDupCheck), stream ID order and PEL consistency, the final CRC64 (a
// stored zero means the writer disabled it; files before version 5 have
// none). Corrupt or truncated input never panics; every error is an *Error
// carrying the input offset and, when a key was being read, the key and its
// type, and wraps one of ErrCorrupt, ErrTruncated (which wraps
// io.ErrUnexpectedEOF), ErrChecksum, ErrUnsupported, ErrEmptyKey or the
// source's own I/O error. Allocation is bounded by the input really
// present: lengths and counts read from the file are never trusted for
// preallocation, strings grow as their bytes arrive, and an LZF string may
// not claim more than its compressed bytes can expand to.
//
// The Decoder buffers its input and may read past the end of the RDB data
// (the EOF opcode and checksum). After Next returns io.EOF, Buffered returns
// those extra bytes; a replica reading a full sync payload followed by the
// replication stream on the same connection either bounds the reader (the
// "$<len>" form) or hands the Buffered bytes on.
//
// A Decoder can also decode input as it arrives, without blocking and
// without a goroutine: give NewDecoder a *Feed, Write to the Feed what
// arrives, and call Next until it returns ErrNeedMore; Close the Feed at
// the end of the input. A record cut short by the end of what has arrived
// is started over later, once the bytes after its start have doubled, so a
// large record costs a bounded multiple of its size; the records, errors
// and warnings are the same as from a whole input, in any split (a fuzz
// test compares them).
//
// # Writing
//
// An Encoder writes a whole file in the order Redis does: the header, AUX
// fields, function libraries, then for each non-empty database SelectDB
// (with its size hints) and its keys, then Close (EOF opcode and CRC64, or
// zero when EncoderOptions.Checksum is off):
//
//	e := rdb.NewEncoder(w, opts) // opts from rdb.DefaultEncoderOptions()
//	e.WriteAux([]byte("redis-ver"), []byte("7.0.15"))
//	e.SelectDB(0, keys, expires)
//	e.WriteKey(key, rdb.KeyMeta{Expire: at, HasExpire: true}, value)
//	e.Close()
//
// WriteKey takes a Source. The decoded value types are Sources, and so are
// ListNodesSource (a list's quicklist nodes, written as they are),
// ListSource, SetSource, ZSetSource, HashSource and StreamSource, which
// present a value through iterators (iter.Seq) so that a big collection is
// written element by element without an intermediate copy; the keyspace can
// wrap its own structures in them. An iterator may be run twice (once to
// choose the encoding or count the nodes, once to write) and must yield the
// same Len elements each time. Only values small enough for a compact
// encoding are gathered in memory (that is the listpack or intset being
// built). Redis never converts a set, hash or sorted set back to its compact
// encoding once it has grown out of it; the Hashtable and Skiplist flags of
// the sources let the caller keep the big encoding for such values. The
// Encoder flushes to the writer in 64 KB chunks; after an error every call
// returns it and the output is incomplete.
//
// # DUMP and RESTORE
//
// AppendDump and WriteDump produce a DUMP payload (value, RDB version 10 as
// two little-endian bytes, CRC64) as Redis 7.0's DUMP does. ParseDump checks
// and decodes one as RESTORE does: a footer that is too short, carries an
// RDB version above 10 or a wrong CRC64 gives ErrDumpPayload, whose text is
// Redis's reply ("DUMP payload version or checksum are wrong"); a body that
// does not decode, or a type Redis 7.0 does not know, gives
// ErrBadDataFormat ("Bad data format"). MsgDumpPayload and MsgBadDataFormat
// hold the texts for the server's "ERR ..." replies.
//
// # Tools
//
// Check reads a whole file and reports like redis-check-rdb (verdict, AUX
// fields, counts per type, expires, the first error with its offset); Dump
// writes one JSON object per key per line. The CLI calls them.
//
// # Building blocks
//
// The embedded encodings are exported for reuse: WalkListpack and
// ListpackBuilder (the rdb face of internal/listpack, which holds the
// listpack format), WalkZiplist, ParseIntset and AppendIntset, WalkZipmap,
// LZFCompress and LZFDecompress, CRC64 (Jones polynomial, reflected, as
// Redis's crc64), AppendLen, AppendString, AppendMillis, AppendBinaryDouble
// and AppendTextDouble.
//
// # Not covered
//
// Module values and module auxiliary data cannot be loaded (there is no
// module system). The Encoder does not write Redis 7.4's hash field expire
// times (RDB 10 has no place for them: such a Hash is refused with
// ErrEncoder), nor the consumers' active time of Redis 7.2 streams, nor
// quicklist nodes compressed in memory (list-compress-depth): its lists are
// written as Redis writes them with depth 0.
package rdb
