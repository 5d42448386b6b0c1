// Package listpack reads and writes Redis's listpack format, byte for byte
// as Redis 7 lays it out. Quicklist nodes of lists, stream nodes and the
// small encodings of RDB files are listpacks, and Redis compatibility
// (OBJECT ENCODING, DEBUG DIGEST, node sizes, RDB files a real Redis reads)
// depends on these exact bytes.
//
// # Format
//
// A listpack is
//
//	total-bytes uint32 LE | count uint16 LE | entry ... | 0xFF
//
// total-bytes is the size of the whole listpack, header and terminator
// included. count is the number of entries, or CountUnknown (65535) when
// there are 65535 or more. An entry is
//
//	encoding [+ length or value bytes] | data | backlen
//
// with these encodings (first byte; integers are little endian, signed
// ones in two's complement):
//
//	0xxxxxxx                  integer 0..127 in the byte itself
//	10LLLLLL + L bytes        string of up to 63 bytes
//	110xxxxx + 1 byte         13-bit signed integer (-4096..4095)
//	1110LLLL + 1 byte + data  string of up to 4095 bytes (12-bit length)
//	0xF0 + 4 bytes + data     string with a 32-bit length
//	0xF1 + 2 bytes            16-bit signed integer
//	0xF2 + 3 bytes            24-bit signed integer
//	0xF3 + 4 bytes            32-bit signed integer
//	0xF4 + 8 bytes            64-bit signed integer
//	0xF5..0xFE                unused (invalid); 0xFF is the terminator
//
// A string that is the canonical decimal form of an int64 (Redis's
// string2ll rules, internal/num.ParseInt) is always stored as the smallest
// integer encoding that holds it, and any other string as the smallest
// string encoding. backlen is the size of encoding+data (l), written so that
// the entry can be found from its end: 1 byte when l <= 127, 2 when l <
// 16383, 3 when l < 2097151, 4 when l < 268435455, else 5 (these thresholds
// are Redis's, off by one from the 7-bit group boundaries, and decide the
// bytes). Its bytes hold l in 7-bit groups, the most significant group
// first; every byte but the first has its high bit set, so a reader
// walking backwards stops at the byte whose high bit is clear.
//
// # Contracts
//
//   - Positions are byte offsets into the listpack slice; the first entry is
//     at HeaderSize. A function that finds an entry returns -1 for "none".
//   - The readers (Decode, SizeAt, Next, Prev, First, Last, BytesAt, IntAt)
//     trust their input: the listpack must be valid (written by this
//     package or accepted by Validate) and the position must be that of an
//     entry. On other input they may return wrong results or panic with an
//     index out of range; they never write. Decode and SizeAt take an
//     unused encoding byte (or the terminator) for a 1-byte entry holding an
//     empty string, with a 1-byte backlen, so that a walk over unchecked
//     input always moves forward.
//   - Validate and Iterator check everything (header total bytes, every
//     entry's encoding, bounds and backlen, the terminator, the count
//     header) and never panic, whatever the input. Their errors are *Error
//     values wrapping ErrInvalid, whose text names the offset at fault.
//   - Aliasing: strings returned by Decode, BytesAt and Iterator.Next alias
//     the listpack; BytesAt formats integers into the scratch slice given
//     to it. Nothing here keeps a reference to a slice after returning.
//   - Append, AppendInt and the Append*Entry functions follow the built-in
//     append: they write in place when the capacity allows, otherwise into
//     a new array, and the caller must use the returned slice. ReplaceInt
//     writes in place when the new entry has the size of the old one and
//     otherwise returns a new slice, leaving the old one unchanged.
//   - Integers are int64; string lengths must fit the 32-bit length field
//     (Redis caps a listpack at MaxSafetySize anyway).
package listpack
