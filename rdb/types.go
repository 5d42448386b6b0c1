package rdb

import "strconv"

// Type is the byte that precedes a key in an RDB file: it names the value's
// data type and its on-disk encoding.
type Type uint8

// Value types, as numbered in Redis's rdb.h (Redis 7.4).
const (
	TypeString              Type = 0
	TypeList                Type = 1 // linked list of strings (before quicklists)
	TypeSet                 Type = 2 // hashtable set
	TypeZSet                Type = 3 // sorted set, scores as text
	TypeHash                Type = 4 // hashtable hash
	TypeZSet2               Type = 5 // sorted set, binary scores (RDB 8+)
	TypeModule              Type = 6 // module value, 4.0 release candidates
	TypeModule2             Type = 7 // module value
	TypeHashZipmap          Type = 9
	TypeListZiplist         Type = 10
	TypeSetIntset           Type = 11
	TypeZSetZiplist         Type = 12
	TypeHashZiplist         Type = 13
	TypeListQuicklist       Type = 14 // quicklist of ziplists (RDB 7..9)
	TypeStreamListpacks     Type = 15 // stream (Redis 5, 6)
	TypeHashListpack        Type = 16 // Redis 7.0
	TypeZSetListpack        Type = 17 // Redis 7.0
	TypeListQuicklist2      Type = 18 // quicklist of listpacks or plain nodes (Redis 7.0)
	TypeStreamListpacks2    Type = 19 // stream with first ID, tombstone, offsets (Redis 7.0)
	TypeSetListpack         Type = 20 // Redis 7.2
	TypeStreamListpacks3    Type = 21 // stream with consumer active time (Redis 7.2)
	TypeHashMetadataPreGA   Type = 22 // hash with field expiry, 7.4 release candidates
	TypeHashListpackExPreGA Type = 23
	TypeHashMetadata        Type = 24 // hash with field expiry (Redis 7.4)
	TypeHashListpackEx      Type = 25 // listpack hash with field expiry (Redis 7.4)
)

// Opcodes: type bytes that are not values.
const (
	OpSlotInfo     = 244 // cluster slot sizes (Redis 7.4, Valkey 8), skipped
	OpFunction2    = 245 // function library (Redis 7.0)
	OpFunction     = 246 // function library, 7.0 release candidates
	OpModuleAux    = 247
	OpIdle         = 248 // LRU idle seconds of the next key
	OpFreq         = 249 // LFU counter of the next key
	OpAux          = 250 // name/value metadata
	OpResizeDB     = 251 // size hints of the selected database
	OpExpireTimeMs = 252 // absolute expire time of the next key, ms
	OpExpireTime   = 253 // absolute expire time of the next key, seconds
	OpSelectDB     = 254
	OpEOF          = 255
)

// Version is the RDB version the Encoder writes: Redis 7.0's.
const Version = 10

// MaxVersion is the newest RDB version the Decoder reads (Redis 7.4).
const MaxVersion = 12

// Quicklist node containers (RDB_TYPE_LIST_QUICKLIST_2).
const (
	quicklistPlain  = 1
	quicklistPacked = 2
)

// Kind is the logical data type of a value, whatever its encoding.
type Kind uint8

// Kinds of values.
const (
	KindNone Kind = iota
	KindString
	KindList
	KindSet
	KindZSet
	KindHash
	KindStream
	KindModule
)

var kindNames = [...]string{"none", "string", "list", "set", "zset", "hash", "stream", "module"}

// String returns the kind's name as TYPE reports it ("string", "list", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

type typeInfo struct {
	name string // redis-check-rdb's name where it has one
	kind Kind
}

var typeInfos = map[Type]typeInfo{
	TypeString:              {"string", KindString},
	TypeList:                {"list-linked", KindList},
	TypeSet:                 {"set-hashtable", KindSet},
	TypeZSet:                {"zset-v1", KindZSet},
	TypeHash:                {"hash-hashtable", KindHash},
	TypeZSet2:               {"zset-v2", KindZSet},
	TypeModule:              {"module-pre-release", KindModule},
	TypeModule2:             {"module-value", KindModule},
	TypeHashZipmap:          {"hash-zipmap", KindHash},
	TypeListZiplist:         {"list-ziplist", KindList},
	TypeSetIntset:           {"set-intset", KindSet},
	TypeZSetZiplist:         {"zset-ziplist", KindZSet},
	TypeHashZiplist:         {"hash-ziplist", KindHash},
	TypeListQuicklist:       {"quicklist", KindList},
	TypeStreamListpacks:     {"stream", KindStream},
	TypeHashListpack:        {"hash-listpack", KindHash},
	TypeZSetListpack:        {"zset-listpack", KindZSet},
	TypeListQuicklist2:      {"quicklist-v2", KindList},
	TypeStreamListpacks2:    {"stream-v2", KindStream},
	TypeSetListpack:         {"set-listpack", KindSet},
	TypeStreamListpacks3:    {"stream-v3", KindStream},
	TypeHashMetadataPreGA:   {"hash-hashtable-md-pre-ga", KindHash},
	TypeHashListpackExPreGA: {"hash-listpack-md-pre-ga", KindHash},
	TypeHashMetadata:        {"hash-hashtable-md", KindHash},
	TypeHashListpackEx:      {"hash-listpack-md", KindHash},
}

// String returns the type's name as redis-check-rdb prints it ("quicklist-v2",
// "set-intset" ...), or "unknown(N)".
func (t Type) String() string {
	if ti, ok := typeInfos[t]; ok {
		return ti.name
	}
	return "unknown(" + strconv.Itoa(int(t)) + ")"
}

// Kind returns the logical data type stored with this type byte, KindNone
// for bytes that are not value types.
func (t Type) Kind() Kind { return typeInfos[t].kind }

// IsValue reports whether t is a value type byte this package knows.
func (t Type) IsValue() bool { _, ok := typeInfos[t]; return ok }

// Encoding returns the name OBJECT ENCODING reports in Redis 7.0 for a value
// loaded from this type, before any conversion the loader's thresholds may
// cause ("listpack", "quicklist", "intset", "hashtable", "skiplist",
// "stream", "raw"). For strings it returns "raw"; the loader decides between
// int, embstr and raw.
func (t Type) Encoding() string {
	switch t {
	case TypeString:
		return "raw"
	case TypeList, TypeListZiplist, TypeListQuicklist, TypeListQuicklist2:
		return "quicklist"
	case TypeSet:
		return "hashtable"
	case TypeSetIntset:
		return "intset"
	case TypeSetListpack:
		return "listpack"
	case TypeZSet, TypeZSet2:
		return "skiplist"
	case TypeZSetZiplist, TypeZSetListpack:
		return "listpack"
	case TypeHash, TypeHashMetadata, TypeHashMetadataPreGA:
		return "hashtable"
	case TypeHashZipmap, TypeHashZiplist, TypeHashListpack, TypeHashListpackEx, TypeHashListpackExPreGA:
		return "listpack"
	case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3:
		return "stream"
	}
	return "unknown"
}

// knownTo70 reports whether Redis 7.0 knows the type (RESTORE refuses the
// others with "Bad data format").
func (t Type) knownTo70() bool {
	return t <= TypeModule2 || (t >= TypeHashZipmap && t <= TypeStreamListpacks2)
}
