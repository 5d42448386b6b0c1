package rdb

import "strconv"

// Value is a decoded value: one of String, List, Set, ZSet, Hash or *Stream.
// Byte slices inside a Value are owned by the receiver: the Decoder never
// reuses or aliases them.
//
// Every Value is also a Source, so a decoded value can be written back with
// Encoder.WriteKey or WriteDump.
type Value interface {
	Source
	// Kind returns the logical data type.
	Kind() Kind
	// Len returns the number of elements (bytes for a String, entries for a
	// Stream).
	Len() int
}

// String is a string value.
type String []byte

// List is a list value, head first.
type List [][]byte

// ListNode is one node of a quicklist: a listpack holding a run of
// elements or, when Plain, a single element stored as it is (Redis keeps
// elements of 1 GB and more in plain nodes).
type ListNode struct {
	Data  []byte
	Plain bool
}

// ListNodes is a list value given as its quicklist nodes, head first, as
// QUICKLIST_2 stores it (see DecoderOptions.ListNodes). Count is the number
// of elements. Written back, the nodes are copied as they are.
type ListNodes struct {
	Nodes []ListNode
	Count int
}

// Set is a set value, in file order (ascending for intsets).
type Set [][]byte

// ZMember is one member of a sorted set.
type ZMember struct {
	Member []byte
	Score  float64
}

// ZSet is a sorted set value, in file order: ascending (score, member) for
// listpack and ziplist encodings, Redis writes skiplists highest first.
type ZSet []ZMember

// HashField is one field of a hash. Expire is the field's absolute expire
// time in Unix milliseconds, or 0 when it has none (only Redis 7.4 files
// carry field expire times). The Decoder may put Field and Value in one
// allocation, Value following Field within Field's capacity (so that a
// hash table can keep the pair as one object): never append to Field.
type HashField struct {
	Field  []byte
	Value  []byte
	Expire int64
}

// Hash is a hash value, in file order.
type Hash []HashField

// StreamID is a stream entry ID: milliseconds and sequence number.
type StreamID struct {
	Ms  uint64
	Seq uint64
}

// String formats the ID as "ms-seq".
func (id StreamID) String() string {
	return strconv.FormatUint(id.Ms, 10) + "-" + strconv.FormatUint(id.Seq, 10)
}

// Compare returns -1, 0 or +1 as id is before, equal to or after o.
func (id StreamID) Compare(o StreamID) int {
	switch {
	case id.Ms < o.Ms:
		return -1
	case id.Ms > o.Ms:
		return 1
	case id.Seq < o.Seq:
		return -1
	case id.Seq > o.Seq:
		return 1
	}
	return 0
}

// StreamField is one field/value pair of a stream entry.
type StreamField struct {
	Field []byte
	Value []byte
}

// StreamEntry is a live stream entry (entries deleted by XDEL are not
// reported).
type StreamEntry struct {
	ID     StreamID
	Fields []StreamField
}

// StreamPending is an entry of a consumer group's pending entries list.
type StreamPending struct {
	ID            StreamID
	DeliveryTime  int64 // Unix ms of the last delivery
	DeliveryCount uint64
}

// StreamConsumer is a consumer of a group. PEL lists the IDs of the group's
// pending entries this consumer owns; each is in the group's PEL.
type StreamConsumer struct {
	Name       []byte
	SeenTime   int64 // Unix ms of the last interaction
	ActiveTime int64 // Unix ms of the last successful read (Redis 7.2); SeenTime in older files
	PEL        []StreamID
}

// StreamGroup is a consumer group.
type StreamGroup struct {
	Name        []byte
	LastID      StreamID // last delivered ID
	EntriesRead int64    // logical reads counter; -1 when unknown
	PEL         []StreamPending
	Consumers   []StreamConsumer
}

// Stream is a stream value with all its metadata. For files older than
// Redis 7.0 (TypeStreamListpacks), FirstID, MaxDeletedID, EntriesAdded and
// the groups' EntriesRead are filled in the way Redis 7.0 computes them on
// load.
type Stream struct {
	Entries      []StreamEntry // live entries in ID order
	Length       uint64        // number of live entries, as recorded
	LastID       StreamID      // last ID ever generated
	FirstID      StreamID      // first live entry ID
	MaxDeletedID StreamID      // greatest ID deleted by XDEL/XTRIM
	EntriesAdded uint64        // entries ever added
	Groups       []StreamGroup
}

// Kind implements Value.
func (String) Kind() Kind { return KindString }

// Kind implements Value.
func (List) Kind() Kind { return KindList }

// Kind implements Value.
func (ListNodes) Kind() Kind { return KindList }

// Kind implements Value.
func (Set) Kind() Kind { return KindSet }

// Kind implements Value.
func (ZSet) Kind() Kind { return KindZSet }

// Kind implements Value.
func (Hash) Kind() Kind { return KindHash }

// Kind implements Value.
func (*Stream) Kind() Kind { return KindStream }

// Len implements Value.
func (v String) Len() int { return len(v) }

// Len implements Value.
func (v List) Len() int { return len(v) }

// Len implements Value.
func (v ListNodes) Len() int { return v.Count }

// Len implements Value.
func (v Set) Len() int { return len(v) }

// Len implements Value.
func (v ZSet) Len() int { return len(v) }

// Len implements Value.
func (v Hash) Len() int { return len(v) }

// Len implements Value.
func (v *Stream) Len() int { return len(v.Entries) }

// KeyMeta is what the file records about a key besides its name and value.
// The zero value means: no expire time, no eviction hints.
type KeyMeta struct {
	Expire    int64 // absolute expire time, Unix ms; meaningful when HasExpire
	HasExpire bool
	Idle      uint64 // LRU idle time in seconds; meaningful when HasIdle
	HasIdle   bool
	Freq      uint8 // LFU logarithmic counter; meaningful when HasFreq
	HasFreq   bool
}
